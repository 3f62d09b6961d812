/* Accounts pages, progressive enhancement only: move focus to the error summary after a refused form, so
   screen-reader and keyboard users hear what went wrong first. The links in it lead to each field. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}());
