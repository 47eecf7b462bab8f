/* "Print this report" and "Open all details": listeners, not onclick attributes (the CSP allows
   no inline handlers). Printing opens every collapsed section, then closes again the ones the
   reader had closed, so that paper gets the whole report. */
(function () {
  "use strict";
  var sections = function () { return Array.prototype.slice.call(document.querySelectorAll("details")); };
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = sections().filter(function (d) { return !d.open; });
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-toggle-details]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-pressed") !== "true";
      sections().forEach(function (d) { d.open = open; });
      button.setAttribute("aria-pressed", open ? "true" : "false");
      // Its words come from the page (data-open-label, data-close-label): translated there.
      button.textContent = open ? button.dataset.closeLabel : button.dataset.openLabel;
    });
  });
})();
