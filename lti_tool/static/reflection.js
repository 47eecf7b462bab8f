// Saves a session reflection as the learner types: a debounced fetch POST carrying the
// launch token and the CSRF token. Without JavaScript the form's Save button posts it.
(function () {
  "use strict";
  var form = document.getElementById("reflection-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var field = form.elements.reflection;
  var status = document.getElementById("reflection-status");
  var DELAY = 800;
  var timer = null;
  var saving = false;
  var again = false;
  // What the server sent, not what the field holds now: text typed before this script ran
  // (a slow page) is not saved yet.
  var lastSaved = field.defaultValue;

  function say(text) {
    if (status.textContent !== text) { status.textContent = text; }
  }

  function save() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (saving) { again = true; return; }
    var text = field.value;
    if (text === lastSaved) { say("Your reflection is saved."); return; }
    saving = true;
    var failed = false;
    form.setAttribute("data-saving", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-Launch-Token": form.elements.lt.value,
        "X-CSRF-Token": form.elements.csrf_token.value
      }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.message || "The server did not accept it."); }
        lastSaved = text;
        say(field.value === text ? "Your reflection is saved." : "Saving…");
      });
    }).catch(function (error) {
      failed = true;
      say("Not saved: " + error.message + " Your text is still here; try Save reflection.");
    }).then(function () {
      saving = false;
      form.removeAttribute("data-saving");
      if (again || (!failed && field.value !== lastSaved)) { again = false; schedule(); }
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  field.addEventListener("input", function () { say("Changes not saved yet."); schedule(); });
  field.addEventListener("blur", function () { if (timer) { save(); } });
  form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
  window.addEventListener("pagehide", function () {
    if (field.value !== lastSaved && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, new FormData(form));
    }
  });
})();
