/*
 * Presentation mode: keys and buttons that drive stories (see dashboard/views/presentation.py).
 * Commands go to the Dash store "atlas-story-nav"; the state callback applies them, so a step is also in
 * the URL. → / PageDown / space: next; ← / PageUp: previous; Esc: leave; F: full screen; P: play/pause.
 */
(function () {
  "use strict";
  let timer = null;

  function send(action, extra) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) return;
    const data = Object.assign({ action: action, t: Date.now() }, extra || {});
    window.dash_clientside.set_props("atlas-story-nav", { data: data });
  }

  function presenting() {
    const page = document.getElementById("atlas-page");
    return page && page.classList.contains("atlas-present");
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }

  function togglePlay(button) {
    if (timer) { window.clearInterval(timer); timer = null; if (button) button.textContent = "▶"; return; }
    const box = document.querySelector(".atlas-story-box");
    const seconds = box ? Number(box.dataset.seconds) || 25 : 25;
    timer = window.setInterval(function () { send("next"); }, seconds * 1000);
    if (button) button.textContent = "❚❚";
  }

  function toggleControls() {
    const page = document.getElementById("atlas-page");
    if (page) page.classList.toggle("atlas-show-controls");
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-story-action]");
    if (!button) return;
    const action = button.dataset.storyAction;
    if (action === "fullscreen") toggleFullscreen();
    else if (action === "play") togglePlay(button);
    else if (action === "controls") toggleControls();
    else {
      if (action === "exit" && timer) togglePlay(null);
      // A story starts at its first step, or at the one a button names (the story editor's "present from here").
      const story = button.dataset.story ? { story: button.dataset.story, step: Number(button.dataset.storyStep) || 1 } : null;
      send(action, story);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!presenting() || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    // Keys the map or a button already use: the map canvas steps through units and pans with arrows;
    // space presses a focused button.
    // A presenter's clicker sends PageDown / PageUp, which the map does not use: those always work.
    const onMap = target && target.closest && target.closest(".maplibregl-map");
    if (onMap && event.key !== "PageDown" && event.key !== "PageUp") return;
    if (event.key === " " && target && /^(BUTTON|A)$/.test(target.tagName)) return;
    const key = event.key;
    if (key === "ArrowRight" || key === "PageDown" || key === " ") { send("next"); event.preventDefault(); }
    else if (key === "ArrowLeft" || key === "PageUp") { send("prev"); event.preventDefault(); }
    else if (key === "Escape") { if (timer) togglePlay(null); send("exit"); }
    else if (key === "f" || key === "F") toggleFullscreen();
    else if (key === "p" || key === "P") togglePlay(document.querySelector("[data-story-action=play]"));
  });
})();
