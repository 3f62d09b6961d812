/* A Print button ([data-print], hidden until this script runs, so it never shows without JavaScript) opens the
   browser's print dialog when the patient presses it; nothing prints by itself. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    if (typeof window.print !== "function") { return; }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
