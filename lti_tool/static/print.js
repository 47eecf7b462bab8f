/* "Print this report": a listener, not an onclick attribute (the CSP allows no inline handlers). */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
