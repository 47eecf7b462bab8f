// Saves a session reflection as the learner types: a debounced fetch POST carrying the
// launch token, the CSRF token and the version of the text the page was based on. Text over
// the limit is not sent (the server would refuse it whole): the counter and the status say so.
// Text saved in another tab since is never overwritten: both are shown, the person keeps one.
// Without JavaScript the form's Save button posts it, under the same rules. Every word shown
// comes from the page (#reflection-messages). Text that could not be saved (a refused or failed
// save, a page left before its save) is kept in this browser (drafts.js) and put back in the box
// at this person's next visit of the page, then saved (decision 0053).
(function () {
  "use strict";
  var form = document.getElementById("reflection-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var words = document.getElementById("reflection-messages").dataset;
  var field = form.elements.reflection;
  var version = form.elements.version;
  var status = document.getElementById("reflection-status");
  var counter = document.getElementById("reflection-count");
  var MAX = parseInt(field.getAttribute("data-max"), 10);
  var NEAR = Math.floor(MAX * 0.9);
  var DELAY = 800;
  var timer = null;
  var saving = false;
  var again = false;
  var conflict = false;
  // What the server has, not what the field holds now: text typed before this script ran
  // (a slow page) is not saved yet.
  var lastSaved = field.defaultValue;
  // Up to twice the limit: over-long text is not saved, but the person may shorten it next time.
  var drafts = window.P3Drafts ? window.P3Drafts(form.getAttribute("data-draft-key"), MAX * 2) : null;
  var restored = false;  // the box holds a draft put back: the first save says so
  var keptHere = null;  // the text this tab last kept (or put back) as the draft
  // True when the box's text is kept in this browser (or is what the server has).
  function keepDraft() {
    if (!drafts) { return false; }
    if (field.value === lastSaved) { saved(field.value); return true; }
    if (!drafts.keep(field.value, version.value)) { return false; }
    keptHere = field.value;
    return true;
  }
  // The server has ``text``: the draft goes if it holds that text or this tab's own (saved or
  // typed over since). Another tab's draft stays: that tab told its person it keeps their text.
  function saved(text) {
    if (!drafts) { return; }
    drafts.forgetIf(keptHere === null ? [text] : [text, keptHere]);
    keptHere = null;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  // Numbers as the page writes them: "20,000" in English, "20 000" in French (<html lang>).
  var LANG = document.documentElement.lang || "en";
  function number(n) { return n.toLocaleString(LANG); }
  // The page's plural rule: "one" for 1 in English, for 0 and 1 in French (as the catalogue's).
  var PLURAL = new Intl.PluralRules(LANG);
  function counted(n, one, other) { return PLURAL.select(n) === "one" ? one : other; }
  function say(text) {
    if (status.textContent !== text) { status.textContent = text; }
  }
  function over() { return field.value.length - MAX; }
  function count() {
    var n = field.value.length;
    var values = { count: number(n), max: number(MAX), left: number(MAX - n), over: number(n - MAX) };
    var shown = n > MAX ? words.over : n >= NEAR ? words.near : counted(n, words.countOne, words.countOther);
    counter.textContent = fill(shown, values);
    counter.classList.toggle("field-error", n > MAX);
    counter.classList.toggle("char-count-near", n >= NEAR && n <= MAX);
  }
  function tooLong() {
    say(fill(counted(over(), words.tooLongOne, words.tooLongOther), { over: number(over()), max: number(MAX) }));
  }

  function save() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (saving) { again = true; return; }
    if (conflict) { return; }  // the person chooses first
    var text = field.value;
    if (text === lastSaved) { say(words.saved); return; }
    if (text.length > MAX) { tooLong(); return; }
    saving = true;
    var failed = false;
    form.setAttribute("data-saving", "true");
    var body = new FormData(form);
    body.delete("keep");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Accept-Language": document.documentElement.lang || "en",  // refusals in the page's language
        "X-Launch-Token": form.elements.lt.value,
        "X-CSRF-Token": form.elements.csrf_token.value
      }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 409 && data.error === "conflict") {
          failed = true;
          showConflict(data.theirs, data.version);
          keepDraft();
          return;
        }
        // A proxy's page (no JSON) is said in words, never as a status code.
        if (!response.ok) {
          var refused = new Error(data.message || words.unreadable);
          refused.ended = response.status === 401;  // the session is over: "Save reflection" cannot help
          throw refused;
        }
        lastSaved = text;
        version.value = String(data.version);
        if (field.value === text) { saved(text); }
        say(field.value !== text ? words.saving : restored ? words.restoredSaved : words.saved);
        restored = false;
      });
    }).catch(function (error) {
      failed = true;
      var message = error instanceof TypeError ? words.offline : error.message;
      // Kept in this browser, the text comes back at the next launch: no need to copy it.
      var kept = keepDraft();
      say(fill(error.ended ? (kept ? words.endedKept : words.ended) : words.failed, { message: message }));
    }).then(function () {
      saving = false;
      form.removeAttribute("data-saving");
      if (again || (!failed && field.value !== lastSaved)) { again = false; schedule(); }
    });
  }

  function settle() {
    var box = document.getElementById("reflection-conflict");
    if (box) { box.parentNode.removeChild(box); }
    conflict = false;
  }
  function keepMine(theirsVersion) {
    version.value = String(theirsVersion);
    settle();
    save();
  }
  function keepTheirs(theirs, theirsVersion) {
    field.value = theirs;
    lastSaved = theirs;
    if (drafts) { drafts.forget(); }  // the person chose the other text: theirs is not offered again
    version.value = String(theirsVersion);
    settle();
    count();
    say(words.keptTheirs);
  }
  function showConflict(theirs, theirsVersion) {
    settle();
    conflict = true;
    var box = document.getElementById("reflection-conflict-template").content.firstElementChild.cloneNode(true);
    box.querySelector('[data-slot="theirs"]').textContent = theirs;
    box.querySelector('[data-keep="mine"]').addEventListener("click", function () { keepMine(theirsVersion); });
    box.querySelector('[data-keep="theirs"]').addEventListener("click", function () { keepTheirs(theirs, theirsVersion); });
    field.parentNode.insertBefore(box, field);
    say("");
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  // A conflict the server showed (a form posted from a stale page): its buttons, in place.
  var shown = document.getElementById("reflection-conflict");
  if (shown) {
    conflict = true;
    var other = shown.querySelector(".other-text").textContent;
    shown.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="keep"]');
      if (!button) { return; }
      event.preventDefault();
      var theirsVersion = parseInt(version.value, 10) || 0;
      if (button.value === "theirs") { keepTheirs(other, theirsVersion); } else { keepMine(theirsVersion); }
    });
  }

  field.addEventListener("input", function () {
    count();
    if (over() > 0) { tooLong(); } else if (!conflict) { say(words.unsaved); }
    schedule();
  });
  field.addEventListener("blur", function () { if (timer) { save(); } });
  form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
  window.addEventListener("beforeunload", function (event) {
    // Text that cannot be saved (too long, or a conflict not settled) would be lost: ask.
    if (field.value !== lastSaved && (over() > 0 || conflict)) {
      event.preventDefault();
      event.returnValue = words.leave;
    }
  });
  window.addEventListener("pagehide", function () {
    if (field.value !== lastSaved) { keepDraft(); }  // the beacon may not arrive, or be refused
    if (field.value !== lastSaved && over() <= 0 && !conflict && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, new FormData(form));
    }
  });
  // A phone putting the tab away may never fire pagehide: the text is kept when it is hidden.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && field.value !== lastSaved) { keepDraft(); }
  });

  // The text not saved last time, if the server does not have it: back in the box, and saved
  // on the version it was written on (the server has changed since: both texts are shown).
  function restoreDraft() {
    var draft = drafts && drafts.take();
    if (!draft || conflict || field.value !== field.defaultValue) { return; }
    if (draft.text === lastSaved) { drafts.forget(); return; }
    field.value = draft.text;
    keptHere = draft.text;  // this tab's now: saving it, or text typed over it, forgets it
    if (/^\d+$/.test(String(draft.version))) { version.value = String(draft.version); }
    restored = true;
    say(over() > 0 ? "" : words.restored);
    schedule();
  }
  restoreDraft();
  count();
  // Text typed before this script ran (a slow page) is saved like any other.
  if (field.value !== lastSaved && !conflict && !restored) {
    if (over() > 0) { tooLong(); } else { say(words.unsaved); }
    schedule();
  }
})();
