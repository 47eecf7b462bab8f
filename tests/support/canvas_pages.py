"""The pages of the Canvas test platform that a browser runs (tests/support/canvas_platform.py).

Written from what Canvas's source does (ui/shared/lti/jquery/messages.ts, response_messages.ts,
subjects/lti.capabilities.ts, lti.put_data.ts, lti.get_data.ts, platform_storage.ts,
ui/features/post_message_forwarding/index.ts, app/controllers/lti/platform_storage_controller.rb),
not copied from it:

- the course page (school domain) answers lti.capabilities (get_data and put_data announced with
  frame "post_message_forwarding"), lti.put_data and lti.get_data, storing in its localStorage
  under ``lti|platform_storage|<sender origin>|<key>`` (500 keys, 4096 characters per origin;
  for a relayed message the forwarding frame's origin, the SSO domain: one namespace for every
  frame that reaches it), and
  replies to the event's source with the event's origin as target origin;
- the ``post_message_forwarding`` frame is a sibling of the tool's frame, first loaded from the
  school domain, which redirects it to the SSO (OIDC) domain; there it forwards the tool's
  messages to the top window (adding ``sourceToolInfo``) and the answers back to the tool.
"""

from __future__ import annotations

import html
import json

TOP_SCRIPT = """
(function () {
  "use strict";
  var KEY_LIMIT = 500, CHAR_LIMIT = 4096, used = {};
  window.__ltiMessages = [];
  function storageKey(tool, key) { return "lti|platform_storage|" + tool + "|" + key; }
  window.addEventListener("message", function (event) {
    var m = event.data;
    if (typeof m === "string") { try { m = JSON.parse(m); } catch (e) { return; } }
    if (!m || typeof m !== "object" || !m.subject || /\\.response$/.test(m.subject)) return;
    window.__ltiMessages.push({ subject: m.subject, origin: event.origin, forwarded: !!m.sourceToolInfo,
                                id: m.message_id || null });
    // As Canvas does (lti.put_data.ts: putData(event.origin, ...)): a message relayed by the
    // forwarding frame is keyed by that frame's origin, shared by every frame that reaches it
    // (docs/decisions/0034), not by sourceToolInfo.origin.
    var tool = event.origin;
    function reply(extra) {
      var body = { subject: m.subject + ".response" };
      if (m.message_id) body.message_id = m.message_id;
      if (m.sourceToolInfo) body.sourceToolInfo = m.sourceToolInfo;
      for (var k in extra) body[k] = extra[k];
      event.source.postMessage(body, event.origin);
    }
    function error(code, message) { reply({ error: { code: code, message: message } }); }
    if (m.subject === "lti.capabilities") {
      reply({ supported_messages: [
        { subject: "lti.capabilities" },
        { subject: "lti.get_data", frame: "post_message_forwarding" },
        { subject: "lti.put_data", frame: "post_message_forwarding" }] });
    } else if (m.subject === "lti.put_data" || m.subject === "lti.get_data") {
      if (!m.key) return error("bad_request", "Missing required 'key' field");
      if (!m.message_id) return error("bad_request", "Missing required 'message_id' field");
      if (m.subject === "lti.get_data") {
        return reply({ key: m.key, value: window.localStorage.getItem(storageKey(tool, m.key)) });
      }
      var count = used[tool] || { keys: 0, chars: 0 };
      if (count.keys >= KEY_LIMIT || count.chars + m.key.length + String(m.value).length > CHAR_LIMIT) {
        return error("storage_exhaustion", "Reached the limit for tool");
      }
      used[tool] = { keys: count.keys + 1, chars: count.chars + m.key.length + String(m.value).length };
      window.localStorage.setItem(storageKey(tool, m.key), m.value);
      reply({ key: m.key, value: m.value });
    } else {
      error("unsupported_subject", "Unsupported subject");
    }
  });
})();
"""

FORWARDING_SCRIPT = """
(function () {
  "use strict";
  var parentOrigin = document.getElementById("forwarding").dataset.parentOrigin, windows = [];
  window.addEventListener("message", function (event) {
    var m = event.data;
    if (typeof m === "string") { try { m = JSON.parse(m); } catch (e) { return; } }
    if (!m || typeof m !== "object") return;
    if (event.origin === parentOrigin) {
      if (!m.sourceToolInfo) return;
      var info = m.sourceToolInfo, target = windows[info.windowId], copy = {};
      for (var k in m) if (k !== "sourceToolInfo") copy[k] = m[k];
      if (target) target.postMessage(copy, info.origin);
    } else {
      var id = windows.indexOf(event.source);
      if (id === -1) { windows.push(event.source); id = windows.length - 1; }
      var out = {};
      for (var j in m) out[j] = m[j];
      out.sourceToolInfo = { origin: event.origin, windowId: id };
      window.top.postMessage(out, parentOrigin);
    }
  });
})();
"""


def course_page(title: str, launch_form_url: str, forwarding_url: str) -> str:
    """A course page with a tool launched in its ``tool_content`` iframe, as Canvas renders it."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
</head><body><main><h1>{html.escape(title)}</h1>
<iframe name="tool_content" id="tool_content" title="{html.escape(title)}"
 src="{html.escape(launch_form_url)}" style="width:100%;height:600px;border:0"
 allow="clipboard-write"></iframe>
<iframe name="post_message_forwarding" id="post_message_forwarding" title=""
 src="{html.escape(forwarding_url)}" style="display:none"></iframe></main>
<script>{TOP_SCRIPT}</script></body></html>"""


def forwarding_page(parent_origin: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forwarding</title></head>
<body><div id="forwarding" data-parent-origin="{html.escape(parent_origin)}"></div>
<script>{FORWARDING_SCRIPT}</script></body></html>"""


def autopost(action: str, fields: dict[str, str]) -> str:
    """An auto-submitted form (Canvas's launch form and its authorize response)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Launching</title></head><body>'
        f'<form id="launch" action="{html.escape(action)}" method="post">{inputs}</form>'
        '<script>document.getElementById("launch").submit();</script></body></html>'
    )


def as_json(value: object) -> bytes:
    return json.dumps(value).encode()
