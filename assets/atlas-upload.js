/*
 * A file larger than the upload limit is refused by the upload component before it is sent; say so at
 * once in the page (the server checks the limit again for anything that gets through). The holder names
 * its limit, its message and where to show it (My data's uploads, the story editor's "Load").
 */
(function () {
  "use strict";
  function check(event) {
    const input = event.target;
    if (!input || input.type !== "file") return;
    const holder = input.closest("[data-max-bytes]");
    if (!holder || !input.files || !input.files.length) return;
    const file = input.files[0];
    const limit = Number(holder.dataset.maxBytes);
    const message = document.getElementById(holder.dataset.messageId || "upload-message");
    if (file.size > limit && message) {
      const size = new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 1 })
        .format(file.size / 1048576);
      message.textContent = holder.dataset.tooLarge.replace("{size}", size);
    }
  }
  document.addEventListener("change", check, true);
  document.addEventListener("drop", function (event) {
    const holder = event.target.closest && event.target.closest("[data-max-bytes]");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (holder && files && files.length) check({ target: { type: "file", files: files, closest: function () { return holder; } } });
  }, true);
})();
