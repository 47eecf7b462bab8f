/* After a refused save, the page opens on its error summary (`data-error-summary`, with
   tabindex="-1"): keyboard and screen-reader users land on what to correct, not at the top of
   the page, and the summary's links lead to each field. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
