/* LTI platform storage client (lti.capabilities, lti.put_data, lti.get_data).
 * Used only while logging in, when the LMS offers storage because the browser may refuse
 * third-party cookies. Every message goes to, and every answer is accepted only from, the
 * platform's origin. */
(function () {
  "use strict";
  function targetWindow(target) {
    if (!target || target === "_parent") return window.parent;
    if (target === "_top") return window.top;
    try { return window.parent.frames[target] || window.parent; } catch (e) { return window.parent; }
  }
  function send(win, origin, message, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var id = "p3-" + Math.random().toString(36).slice(2);
      message.message_id = id;
      var timer = setTimeout(function () { cleanup(); reject(new Error("timeout")); }, timeoutMs);
      function onMessage(event) {
        if (event.origin !== origin) return;
        var data = event.data || {};
        if (data.message_id !== id || data.subject !== message.subject + ".response") return;
        cleanup();
        if (data.error) reject(new Error(data.error.code || "error")); else resolve(data);
      }
      function cleanup() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      window.addEventListener("message", onMessage);
      win.postMessage(message, origin);
    });
  }
  function withCapability(target, origin, subject) {
    return send(window.parent, origin, { subject: "lti.capabilities" }, 2000).then(function (caps) {
      var found = (caps.supported_messages || []).filter(function (m) { return m.subject === subject; })[0];
      if (!found) throw new Error("unsupported");
      return targetWindow(found.frame || target);
    });
  }
  window.P3LtiStorage = {
    put: function (target, origin, key, value) {
      return withCapability(target, origin, "lti.put_data").then(function (win) {
        return send(win, origin, { subject: "lti.put_data", key: key, value: value }, 2000);
      });
    },
    get: function (target, origin, key) {
      return withCapability(target, origin, "lti.get_data").then(function (win) {
        return send(win, origin, { subject: "lti.get_data", key: key }, 2000);
      }).then(function (answer) { return answer.value || ""; });
    }
  };
})();
