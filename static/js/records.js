/* Printable pages carry data-autoprint: open the browser's print dialog once the page has loaded.
   Without JavaScript the page is already laid out for paper and the patient prints it from the browser. */
(function () {
  "use strict";
  if (document.querySelector("[data-autoprint]") && typeof window.print === "function") {
    window.addEventListener("load", function () { window.print(); });
  }
}());
