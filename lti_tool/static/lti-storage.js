/* LTI platform storage client (1EdTech Client Side postMessages and Platform Storage:
 * lti.capabilities, lti.put_data, lti.get_data), used only while logging in, when the LMS offers
 * storage because the browser may refuse third-party cookies.
 *
 * As the spec and Canvas's own client do it (docs/decisions/0017-platform-storage.md):
 * - lti.capabilities goes to window.parent with target origin "*" (it carries nothing secret,
 *   and the parent may be on another domain than the LMS's login: on hosted Canvas the parent
 *   is the school's domain, the OIDC login is sso.canvaslms.com); its answer is accepted only
 *   from window.parent;
 * - lti.put_data / lti.get_data go to the frame the answer names for them (Canvas:
 *   "post_message_forwarding", a sibling frame on the OIDC domain), else to the login's
 *   lti_storage_target, always with the OIDC authorization endpoint's origin as target origin;
 *   their answers are accepted only from that window and that origin.
 *
 * A message is posted again every RESEND_MS until its answer comes (same message_id, so one
 * answer settles it; put and get are idempotent): the browser silently drops a message whose
 * target window is not (yet) at the target origin, and Canvas's forwarding frame may still be
 * on its way from the school's domain to the OIDC domain, or its listener not yet loaded, when
 * this page asks (decision 0017). */
(function () {
  "use strict";
  var WAIT_MS = 2000, RESEND_MS = 200;

  function frameNamed(name) {
    if (!name || name === "_parent") return window.parent;
    if (name === "_top") return window.top;
    try { return window.parent.frames[name] || null; } catch (e) { return null; }
  }

  function send(win, targetOrigin, acceptOrigin, message) {
    return new Promise(function (resolve, reject) {
      var id = "p3-" + Math.random().toString(36).slice(2);
      message.message_id = id;
      var timer = setTimeout(function () { cleanup(); reject(new Error("timeout")); }, WAIT_MS);
      var again = setInterval(post, RESEND_MS);
      function post() { win.postMessage(message, targetOrigin); }
      function onMessage(event) {
        if (event.source !== win) return;
        if (acceptOrigin !== "*" && event.origin !== acceptOrigin) return;
        var data = event.data || {};
        if (typeof data === "string") { try { data = JSON.parse(data); } catch (e) { return; } }
        if (data.message_id !== id || data.subject !== message.subject + ".response") return;
        cleanup();
        if (data.error) reject(new Error(data.error.code || "error")); else resolve(data);
      }
      function cleanup() {
        clearTimeout(timer);
        clearInterval(again);
        window.removeEventListener("message", onMessage);
      }
      window.addEventListener("message", onMessage);
      post();
    });
  }

  // The window that takes this subject: the frame the capabilities name, else the login's target.
  function storageWindow(target, subject) {
    return send(window.parent, "*", "*", { subject: "lti.capabilities" }).then(function (caps) {
      var found = (caps.supported_messages || []).filter(function (m) { return m.subject === subject; })[0];
      if (!found) throw new Error("unsupported");
      var win = frameNamed(found.frame || target);
      if (!win) throw new Error("no frame " + (found.frame || target));
      return win;
    });
  }

  window.P3LtiStorage = {
    put: function (target, origin, key, value) {
      return storageWindow(target, "lti.put_data").then(function (win) {
        return send(win, origin, origin, { subject: "lti.put_data", key: key, value: value });
      });
    },
    get: function (target, origin, key) {
      return storageWindow(target, "lti.get_data").then(function (win) {
        return send(win, origin, origin, { subject: "lti.get_data", key: key });
      }).then(function (answer) { return answer.value || ""; });
    }
  };
})();
