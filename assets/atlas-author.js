/*
 * The story editor (dashboard/views/author.py): a placeholder button types its placeholder into the
 * caption at the cursor. The caption is a React-controlled textarea, so the value is set through the
 * native setter and an "input" event tells React (and so Dash) of the change.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const chip = event.target.closest && event.target.closest("[data-insert]");
    if (!chip) return;
    const area = document.getElementById("author-caption");
    if (!area) return;
    event.preventDefault();
    const text = chip.dataset.insert;
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    const value = area.value.slice(0, start) + text + area.value.slice(end);
    const setter = Object.getOwnPropertyDescriptor(window.HTMLTextAreaElement.prototype, "value").set;
    setter.call(area, value);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    area.setSelectionRange(start + text.length, start + text.length);
  });
})();
