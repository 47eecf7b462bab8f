/* Keeps the launch token fresh while a page of the tool is open. The token rides in the page's
 * links and forms (the tool works without cookies inside an LMS iframe) and lives only a few
 * minutes (LAUNCH_TOKEN_TTL), so that one copied from a log or a history soon opens nothing.
 * Every third of its life the page asks for a new one and puts it wherever the old one was. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="launch-token"]');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) return;
  var every = Math.max(30, parseInt(meta.dataset.renewSeconds, 10) || 300) * 1000;
  // A page the launch POST answered with names its own address: put it in the address bar, so
  // reload and back open this page instead of posting the (single-use) launch again.
  if (meta.dataset.pageUrl && window.history && history.replaceState) {
    history.replaceState(history.state, "", meta.dataset.pageUrl);
  }
  var last = Date.now();

  function swap(oldToken, newToken) {
    if (!oldToken || oldToken === newToken) return;
    var attrs = [["a[href]", "href"], ["form[action]", "action"], ["input[value]", "value"]];
    attrs.forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(function (el) {
        var value = el.getAttribute(pair[1]);
        if (value && value.indexOf(oldToken) !== -1) {
          el.setAttribute(pair[1], value.split(oldToken).join(newToken));
          if (pair[1] === "value") el.value = el.getAttribute("value");
        }
      });
    });
    meta.setAttribute("content", newToken);
    // The address bar too, so a reload after the old token expired still opens the page.
    if (window.history && history.replaceState && location.href.indexOf(oldToken) !== -1) {
      history.replaceState(history.state, "", location.href.split(oldToken).join(newToken));
    }
  }

  function renew() {
    var current = meta.getAttribute("content");
    last = Date.now();
    return fetch(meta.dataset.renewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Launch-Token": current, "X-CSRF-Token": csrf ? csrf.content : "", "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (body && body.token) swap(current, body.token);
    }).catch(function () { /* offline for a moment: the next round tries again */ });
  }

  // Pages inside a launch are never cached (Cache-Control: no-store); one the browser kept in
  // its back-forward cache anyway is asked for again, so the back button never shows a stale
  // page (say, questions already submitted).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });

  setInterval(renew, every);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - last > every) renew();
  });
})();
