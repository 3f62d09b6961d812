/* Print buttons: <a data-print="true" href="(this page)">. Without JavaScript the link simply reloads the
   printable page (the print style sheet does the rest); with it, it opens the browser's print dialog. */
(function () {
  "use strict";
  var links = document.querySelectorAll("[data-print]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      if (typeof window.print === "function") {
        event.preventDefault();
        window.print();
      }
    });
  });
}());
