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
/* A page made by a POST that must never be re-posted (the staff activation letter) names a safe address in
   data-replace-url: the history entry becomes that address, so Reload or Back cannot issue new credentials. */
(function () {
  "use strict";
  var marker = document.querySelector("[data-replace-url]");
  if (marker && window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(null, "", marker.getAttribute("data-replace-url"));
  }
}());
/* Long downloads (the record PDF) say that they are being prepared: a form with data-busy-message writes it into
   its polite live region on submit, and clears it after 30 s (the download itself arrives as a file). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy-message]").forEach(function (form) {
    var region = form.querySelector(".busy-message");
    if (!region) { return; }
    form.addEventListener("submit", function () {
      region.textContent = form.getAttribute("data-busy-message");
      window.setTimeout(function () { region.textContent = ""; }, 30000);
    });
  });
}());
