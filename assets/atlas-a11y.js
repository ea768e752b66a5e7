/*
 * Accessibility repairs for Dash 4's components, applied after every render.
 *
 * Each field's <label for="control-id"> names the control for sighted users; screen readers need more:
 * - dcc.Dropdown takes keyboard focus on a hidden input marked aria-hidden, so it has no name: name it by
 *   its label and current value, and stop hiding it;
 * - dcc.Checklist / dcc.RadioItems are drawn as a listbox whose options contain real checkboxes and radio
 *   buttons (an interactive control nested in another): make the container a labelled group or
 *   radiogroup and let the native inputs speak for themselves;
 * - dcc.Slider's thumb (role slider) gets the label's name.
 * A MutationObserver reapplies the repairs when React re-renders.
 */
(function () {
  "use strict";
  let scheduled = false;

  function set(el, name, value) {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function unset(el, name) {
    if (el && el.hasAttribute(name)) el.removeAttribute(name);
  }

  function groupOptions(target, labelId) {
    set(target, "role", target.classList.contains("dash-radioitems") ? "radiogroup" : "group");
    set(target, "aria-labelledby", labelId);
    target.querySelectorAll(".dash-options-list-option").forEach(function (option) {
      unset(option, "role");
      unset(option, "aria-selected");
    });
  }

  // Controls with pattern ids (the index builder's) have no stable DOM id for a <label for>: a fieldset's
  // legend names the checklist or radio group it holds.
  let legends = 0;
  function repairFieldsets() {
    document.querySelectorAll("fieldset > legend + .dash-options-list").forEach(function (target) {
      const legend = target.previousElementSibling;
      if (!legend.id) legend.id = "atlas-legend-" + (++legends);
      groupOptions(target, legend.id);
    });
  }

  function repair() {
    scheduled = false;
    nameFileInputs();
    repairFieldsets();
    document.querySelectorAll("label[for]").forEach(function (label) {
      const id = label.getAttribute("for");
      const target = id && document.getElementById(id);
      if (!target) return;
      if (!label.id) label.id = "label-" + id;
      if (target.classList.contains("dash-dropdown")) {
        const focus = target.parentElement && target.parentElement.querySelector(".dash-dropdown-focus-target");
        if (focus) {
          unset(focus, "aria-hidden");
          set(focus, "role", "combobox");
          set(focus, "aria-haspopup", "listbox");
          set(focus, "aria-expanded", target.getAttribute("aria-expanded") || "false");
          const value = document.getElementById(id + "-value");
          set(focus, "aria-labelledby", label.id + (value ? " " + value.id : ""));
        }
      } else if (target.classList.contains("dash-options-list")) {
        groupOptions(target, label.id);
      } else {
        const thumb = target.querySelector("[role=slider]");
        if (thumb) set(thumb, "aria-labelledby", label.id);
      }
    });
  }

  function nameFileInputs() {
    document.querySelectorAll("input[type=file]").forEach(function (input) {
      const holder = input.closest("[data-file-label]");
      if (holder) set(input, "aria-label", holder.dataset.fileLabel);
    });
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(repair);
    }
  }

  function start() {
    new MutationObserver(schedule).observe(document.body, {
      subtree: true, childList: true, attributes: true,
      attributeFilter: ["role", "aria-hidden", "aria-selected", "aria-expanded", "class"],
    });
    schedule();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
