/* The QR dialog (dashboard/views/share.py): Esc or a click beside the code closes it, the focus moves into
   it when it opens and back to its button when it closes. Esc is taken in the capture phase, so that
   presentation mode (atlas-present.js) does not also end. */
(function () {
  "use strict";
  const DIALOG = "qr-dialog", BUTTON = "qr-button", CLOSE = "qr-close";

  function dialog() { return document.getElementById(DIALOG); }
  function isOpen() { const d = dialog(); return !!d && !d.hidden; }
  function close() { const c = document.getElementById(CLOSE); if (c) { c.click(); } }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      event.stopImmediatePropagation();
      close();
    }
  }, true);

  document.addEventListener("click", function (event) {
    if (isOpen() && event.target === dialog()) { close(); }
  });

  let wasOpen = false;
  new MutationObserver(function () {
    const open = isOpen();
    if (open && !wasOpen) {
      const c = document.getElementById(CLOSE);
      if (c) { c.focus(); }
    } else if (!open && wasOpen) {
      const b = document.getElementById(BUTTON);
      if (b) { b.focus(); }
    }
    wasOpen = open;
  }).observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: ["hidden"] });
})();
