// "Copy link" on the share card: shown only where this script runs and the browser offers the
// clipboard; without it the address stays in a read-only field, ready to select and copy.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector(".share__status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () {
          field.select();
          if (status) status.textContent = "Press Ctrl+C (⌘C on a Mac) to copy the selected link.";
        }
      );
    });
  });
})();
