// Saves each answer the moment it is given (fetch with the launch and CSRF tokens), so a
// closed tab or a lost connection loses nothing. Without JavaScript, "Save and continue"
// posts the page's answers.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("save-status");
  var count = document.getElementById("answered-count");
  var bar = document.querySelector("progress");
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("a.") !== 0) { return; }
    status.textContent = "Saving…";
    fetch(form.getAttribute("data-answer-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Launch-Token": form.elements.lt.value,
        "X-CSRF-Token": form.elements.csrf_token.value
      },
      body: JSON.stringify({ item: input.name.slice(2), value: input.value })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.message || "not saved"); }
        status.textContent = "Saved.";
        if (count) { count.textContent = data.answered; }
        if (bar) { bar.value = data.answered; }
      });
    }).catch(function (error) {
      status.textContent = "Not saved (" + error.message + "). Your choice is kept on this page; " +
        "use Save and continue.";
    });
  });
})();
