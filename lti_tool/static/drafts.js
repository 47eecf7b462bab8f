// Unsaved text kept in this browser until the server has it (decision 0053): when a save fails
// or the page is left with changes not saved, the text is kept under a key the server gave the
// page (a keyed hash of the person and the page: another person's page has another key), and
// the next page of the same person offers it back. localStorage, which may be unavailable or
// full (a private window, storage blocked in a third-party frame): every call then does
// nothing, and the page works as before. Drafts older than MAX_DAYS are dropped; at most
// MAX_DRAFTS are kept, each at most maxChars long.
(function () {
  "use strict";
  var PREFIX = "p3-draft:";
  var MAX_DAYS = 14;
  var MAX_AGE = MAX_DAYS * 24 * 60 * 60 * 1000;
  var MAX_DRAFTS = 20;

  function storage() {
    try { return window.localStorage || null; } catch (e) { return null; }  // SecurityError when blocked
  }
  function read(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key));
      return draft && typeof draft.text === "string" && typeof draft.at === "number" ? draft : null;
    } catch (e) { return null; }
  }
  // Drafts too old (or from a clock far ahead), unreadable, or beyond the newest MAX_DRAFTS.
  function prune(store) {
    var now = Date.now();
    var kept = [];
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { keys.push(key); }
    }
    keys.forEach(function (key) {
      var draft = read(store, key);
      if (!draft || now - draft.at > MAX_AGE || draft.at - now > MAX_AGE) { store.removeItem(key); } else { kept.push([draft.at, key]); }
    });
    kept.sort(function (a, b) { return b[0] - a[0]; });
    kept.slice(MAX_DRAFTS).forEach(function (old) { store.removeItem(old[1]); });
  }

  // The drafts of one page's field: keep(text, version) (true: kept), take() (null: none),
  // forget(), forgetIf(texts) (only a draft holding one of these texts: another tab's stays).
  window.P3Drafts = function (id, maxChars) {
    var key = PREFIX + id;
    var store = id ? storage() : null;
    if (store) {
      try { prune(store); } catch (e) { store = null; }
    }
    return {
      keep: function (text, version) {
        if (!store || text.length > maxChars) { return false; }
        var value = JSON.stringify({ text: text, version: version, at: Date.now() });
        try {
          store.setItem(key, value);
        } catch (full) {  // the quota: expired drafts make room, once
          try { prune(store); store.removeItem(key); store.setItem(key, value); } catch (e) { return false; }
        }
        return true;
      },
      take: function () { return store ? read(store, key) : null; },
      forget: function () {
        if (!store) { return; }
        try { store.removeItem(key); } catch (e) { /* nothing to forget */ }
      },
      forgetIf: function (texts) {
        var draft = store ? read(store, key) : null;
        if (draft && texts.indexOf(draft.text) !== -1) { this.forget(); }
      }
    };
  };
})();
