// Saves each answer the moment it is given (fetch with the launch and CSRF tokens), so a
// closed tab or a lost connection loses nothing. Each save carries the version of the answer
// the page showed: an answer changed in another tab since is not overwritten, the question
// says so and offers to keep either. Without JavaScript, "Save and continue" posts the answers
// changed on the page, under the same rule. Every word shown comes from the page (#save-messages).
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form || !window.fetch) { return; }
  var words = document.getElementById("save-messages").dataset;
  var pageStatus = document.getElementById("save-status");
  var count = document.getElementById("answered-count");
  var bar = document.querySelector("progress");
  var attempt = parseInt(form.elements.attempt.value, 10);
  var states = {};  // item -> {busy, next, failed, conflict}

  function state(item) {
    if (!states[item]) { states[item] = { busy: false, next: null, failed: false, conflict: null }; }
    return states[item];
  }
  function hidden(prefix, item) { return form.querySelector('input[type=hidden][name="' + prefix + item + '"]'); }
  function fieldsetOf(item) {
    var sets = form.querySelectorAll("fieldset[data-item]");
    for (var i = 0; i < sets.length; i++) { if (sets[i].getAttribute("data-item") === item) { return sets[i]; } }
    return null;
  }
  function radio(item, value) {
    var all = form.querySelectorAll('input[type=radio]');
    for (var i = 0; i < all.length; i++) {
      if (all[i].name === "a." + item && all[i].value === value) { return all[i]; }
    }
    return null;
  }
  function said(item, value) {
    var input = radio(item, value);
    if (!input) { return value; }
    var label = input.closest("label");
    var point = label.querySelector(".choice-point");
    var text = label.querySelector(".choice-label").textContent.trim();
    return point ? point.textContent.trim() + " · " + text : text;
  }
  function say(item, text) {
    var box = fieldsetOf(item).querySelector(".question-status");
    if (box.textContent !== text) { box.textContent = text; }
  }
  function sayPage() {
    var busy = false, failed = false, conflict = false, any = false;
    Object.keys(states).forEach(function (item) {
      var s = states[item];
      any = true;
      busy = busy || s.busy || s.next !== null;
      failed = failed || s.failed;
      conflict = conflict || s.conflict !== null;
    });
    if (!any) { return; }
    var summary = document.getElementById("conflicts");  // the server's, after a stale page's post
    if (summary && !form.querySelector(".conflict")) { summary.parentNode.removeChild(summary); }
    var text = conflict ? words.conflictPage : failed ? words.pageFailed : busy ? words.pagePending : words.pageSaved;
    if (pageStatus.textContent !== text) { pageStatus.textContent = text; }
  }
  function clearConflict(item) {
    var box = fieldsetOf(item).querySelector(".conflict");
    if (box) { box.parentNode.removeChild(box); }
    state(item).conflict = null;
  }
  function showSubmitted(url) {
    if (document.getElementById("submitted-notice")) { return; }
    var notice = document.createElement("div");
    notice.id = "submitted-notice";
    notice.className = "notice notice-error";
    notice.setAttribute("role", "alert");
    notice.innerHTML = document.getElementById("submitted-template").innerHTML;
    notice.querySelector('[data-slot="report"]').setAttribute("href", url);
    form.parentNode.insertBefore(notice, form);
  }
  function showConflict(item, data) {
    clearConflict(item);
    state(item).conflict = data;
    var box = document.getElementById("conflict-template").content.firstElementChild.cloneNode(true);
    box.querySelectorAll('[data-slot="theirs"]').forEach(function (el) { el.textContent = said(item, data.theirs); });
    box.querySelectorAll('[data-slot="yours"]').forEach(function (el) { el.textContent = said(item, data.yours); });
    box.querySelector('[data-keep="yours"]').addEventListener("click", function (event) {
      event.preventDefault();
      send(item, data.yours, data.version);
    });
    box.querySelector('[data-keep="theirs"]').addEventListener("click", function (event) {
      event.preventDefault();
      keepTheirs(item, data.theirs, data.version);
    });
    var fieldset = fieldsetOf(item);
    fieldset.insertBefore(box, fieldset.querySelector(".question-status"));
    say(item, "");
  }
  function keepTheirs(item, value, version) {
    var input = radio(item, value);
    if (input) { input.checked = true; }
    hidden("v.", item).value = String(version);
    hidden("o.", item).value = value;
    clearConflict(item);
    say(item, words.keptTheirs);
    sayPage();
  }

  function send(item, value, base) {
    var s = state(item);
    if (s.busy) { s.next = value; sayPage(); return; }  // the newest choice goes once this one is back
    s.busy = true;
    s.failed = false;
    say(item, words.saving);
    sayPage();
    fetch(form.getAttribute("data-answer-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        // A refusal the tool writes before it knows the launch (an expired session) is in the
        // page's language, not the browser's.
        "Accept-Language": document.documentElement.lang || "en",
        "X-Launch-Token": form.elements.lt.value,
        "X-CSRF-Token": form.elements.csrf_token.value
      },
      body: JSON.stringify({ item: item, value: value, version: base, attempt: attempt })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          hidden("v.", item).value = String(data.version);
          hidden("o.", item).value = data.value;
          clearConflict(item);
          say(item, words.saved);
          // Saves of two questions can come back in either order; an attempt's answers are
          // never taken away, so the highest count is the newest.
          var answered = Math.max(data.answered, Number(count ? count.textContent : 0) || 0);
          if (count) { count.textContent = answered; }
          if (bar) { bar.value = answered; }
        } else if (response.status === 409 && data.error === "conflict") {
          showConflict(item, data);
        } else if (response.status === 409 && data.error === "submitted") {
          say(item, "");
          showSubmitted(data.report_url);
        } else {
          // A proxy's page (no JSON) is said in words, never as a status code.
          var refused = new Error(data.message || words.unreadable);
          refused.ended = response.status === 401;  // the session is over: trying again cannot help
          throw refused;
        }
      });
    }).catch(function (error) {
      s.failed = true;
      var message = error instanceof TypeError ? words.offline : error.message;
      say(item, (error.ended ? words.ended : words.failed).replace("{message}", message));
    }).then(function () {
      s.busy = false;
      if (s.next !== null) {
        var next = s.next;
        s.next = null;
        send(item, next, baseOf(item));
      }
      sayPage();
    });
  }
  function baseOf(item) {
    var s = state(item);
    // A choice made while a conflict is shown settles it: the person saw both answers.
    return s.conflict ? s.conflict.version : parseInt(hidden("v.", item).value, 10) || 0;
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("a.") !== 0) { return; }
    var item = input.name.slice(2);
    send(item, input.value, baseOf(item));
  });
  // The buttons of a conflict the server showed (a form posted from a stale page).
  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="keep"][value]');
    if (!button) { return; }
    event.preventDefault();
    var pair = button.value.split("=");
    var item = pair[0], value = pair.slice(1).join("=");
    var input = radio(item, value);
    if (input) { input.checked = true; }
    send(item, value, parseInt(hidden("v.", item).value, 10) || 0);
  });
})();
