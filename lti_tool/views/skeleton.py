"""A page rendered once and reused: what is the same for everyone who opens it stays rendered,
the person's own parts (the holes) are filled in on each request.

A launch answers with the workshop's overview (decision 0026), and most of that page is the
same for every learner of a workshop in a language: its navigation, its sessions, its texts.
Rendering it through Jinja each time was a third of a launch's CPU. ``render`` renders a
template once per *key* with a marker in place of each hole, keeps the output split at the
markers, and then answers each request by joining the pieces with that request's values,
escaped as Jinja would have escaped them.

What makes a cached page right for a request (the tests in tests/pages/test_skeleton.py try each):

- **The key names everything the template reads that is not a hole**: the caller's key (the
  workshop, the role, the course's reading links...), and, added here, the template, the
  language, whether each hole has a value (a template may write ``{{ name or _("you") }}``:
  an empty hole is rendered as itself, never as a marker) and whether the page names its own
  address. The cache lives on the app: its configuration and content are part of it.
- **Holes are values, never markup the template builds from them**: the template prints them
  (text or attribute), and each is spliced escaped (a ``Markup`` value as it is). A marker a
  filter changed (``|upper``, ``|truncate``) is refused when the page is first rendered
  (RuntimeError), so a template cannot silently freeze someone's value into the cache.
- **Always holes**: the launch token (``launch_token()``, in every link), the CSRF token, the
  page's own address and the language switch's return address (base.html).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from flask import current_app, g, render_template, request
from markupsafe import Markup, escape

from lti_tool import i18n
from lti_tool.lti import session as launch_session
from lti_tool.security import csp_nonce

# Pages kept per app: keys are per workshop, language, role and a few facts, so a class uses a
# handful; the bound only stops unusual traffic (many courses' own reading links) from growing it.
MAX_PAGES = 256
_EXTENSION = "lti_tool.skeletons"
# Per process, unguessable: no content or value can contain a marker by accident or design.
_NONCE = secrets.token_hex(8)
_MARKER = re.compile(f"h{_NONCE}x([0-9]+)x")

Pieces = tuple[tuple[str, ...], tuple[str, ...]]  # the literal parts, the hole between each two


class Same:
    """A key part compared by identity (a workshop: loaded once per app, not hashable)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value


class _Pages:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[Hashable, Pieces] = OrderedDict()

    def get(self, key: Hashable) -> Pieces | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: Hashable, pieces: Pieces) -> None:
        with self.lock:
            self.pages[key] = pieces
            self.pages.move_to_end(key)
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)


def _pages() -> _Pages:
    pages: _Pages = current_app.extensions.setdefault(_EXTENSION, _Pages())
    return pages


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for name, inner in value.items():
            _flatten(inner, f"{path}.{name}", into)
    else:
        into[path] = value


def _with_markers(value: Any, path: str, names: list[str]) -> Any:
    """``value`` with each non-empty leaf replaced by its marker (``names`` lists them in order)."""
    if isinstance(value, Mapping):
        return {name: _with_markers(inner, f"{path}.{name}", names) for name, inner in value.items()}
    if not value:
        return value
    names.append(path)
    return Markup(f"h{_NONCE}x{len(names) - 1}x")


def _base_holes() -> dict[str, Any]:
    """base.html's per-request values."""
    return {
        "token": launch_session.launch_token() or "",
        "csrf": launch_session.csrf_token() if g.get("launch") is not None else "",
        "page_url": g.get("page_url") or "",
        "back": g.get("page_url") or (request.full_path if request.method == "GET" else ""),
        # Every response gets its own CSP nonce (its header names it anyway): never cached.
        "nonce": csp_nonce(),
    }


def render(template: str, key: Hashable, context: Mapping[str, Any], holes: Mapping[str, Any]) -> str:
    """``render_template(template, **context, **holes)``, from a cached rendering when there is
    one for ``key``. ``holes``: the person's own values, each a string (or Markup, or None), or
    a dict of them."""
    flat: dict[str, Any] = {}
    every = {"_base": _base_holes(), **holes}
    _flatten(every, "", flat)
    # An empty hole is rendered as itself (None and "" print differently): its value is the key.
    shape = tuple((path, True if v else v) for path, v in flat.items())
    full_key = (template, key, i18n.language(), shape)
    store = _pages()
    pieces = store.get(full_key)
    if pieces is None:
        pieces = _render_pieces(template, context, every)
        store.put(full_key, pieces)
    literals, names = pieces
    # Each value escaped once (the launch token is in every link).
    text = {
        path: value if isinstance(value, Markup) else escape(value) for path, value in flat.items() if value
    }
    out = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        out.append(text[name])
        out.append(literal)
    return "".join(out)


def _render_pieces(template: str, context: Mapping[str, Any], every: Mapping[str, Any]) -> Pieces:
    names: list[str] = []
    marked = _with_markers(every, "", names)
    base = marked["_base"]
    saved = {name: g.get(name) for name in ("launch_token", "page_url") if name in g}
    g.launch_token, g.page_url = base["token"], base["page_url"]  # launch_url() reads g
    try:
        html = render_template(
            template,
            **context,
            **{name: value for name, value in marked.items() if name != "_base"},
            csrf_token=lambda: base["csrf"],
            page_back_url=lambda: base["back"],
            csp_nonce=lambda: base["nonce"],
        )
    finally:
        g.pop("launch_token", None)
        g.pop("page_url", None)
        for name, value in saved.items():
            setattr(g, name, value)
    parts = _MARKER.split(html)
    literals, holes = tuple(parts[0::2]), tuple(names[int(i)] for i in parts[1::2])
    if any(_NONCE in literal.lower() for literal in literals):
        raise RuntimeError(
            f"{template}: a template changed a hole's value (a filter?); print holes as they are"
        )
    return literals, holes


def page_back_url() -> str:
    """Where the language switch returns (base.html): this page."""
    return str(g.get("page_url") or (request.full_path if request.method == "GET" else ""))
