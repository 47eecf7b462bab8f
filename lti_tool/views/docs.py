"""/docs/: the documentation of the installed version, served by the tool itself.

Pages name docs ("docs/grades.md") for administrators and LMS administrators; a link must work
for a tool installed from its wheel, with no repository at hand, and say what *this* version
does. The wheel carries docs/ (lti_tool/docs links to it); Python-Markdown renders it
(docs/decisions/0021-docs-served-by-the-tool.md).
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import markdown
from flask import Blueprint, abort, render_template
from markupsafe import Markup

from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l

bp = Blueprint("docs", __name__, url_prefix="/docs")

# docs/NAME.md and docs/decisions/NAME.md: nothing else (no path is built from what was asked).
_PAGE = re.compile(r"^(decisions/)?[a-z0-9][a-z0-9-]*\.md$")
_INDEX = [
    ("install-moodle.md", _l("Install in Moodle")),
    ("install-canvas.md", _l("Install in Canvas")),
    ("deploy.md", _l("Deploy and run in production")),
    ("settings.md", _l("Settings")),
    ("grades.md", _l("Grades")),
    ("security.md", _l("Security")),
    ("plugins.md", _l("Plugins")),
    ("performance.md", _l("Performance")),
]


def doc_url(name: str) -> str:
    """The link for a doc named in a page, e.g. doc_url("grades.md")."""
    from flask import url_for

    return url_for("docs.page", name=name)


_NAMED = re.compile(r"(?<![\w/\[(])docs/((?:decisions/)?[a-z0-9][a-z0-9-]*\.md)")


def _link_named_docs(text: str) -> str:
    """The docs name each other as plain text ("docs/settings.md"): each becomes a link, except
    inside code (fenced blocks and `spans`), where it stays what to type."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and not line.startswith("    "):
            parts = line.split("`")
            parts[::2] = [_NAMED.sub(r"[docs/\1](/docs/\1)", part) for part in parts[::2]]
            line = "`".join(parts)
        out.append(line)
    return "\n".join(out)


@functools.lru_cache(maxsize=64)
def _render(name: str) -> tuple[str, Markup] | None:
    source = resources.files("lti_tool").joinpath("docs", *name.split("/"))
    if not source.is_file():
        return None
    text = source.read_text(encoding="utf-8")
    html = markdown.markdown(
        _link_named_docs(text), extensions=["tables", "fenced_code", "toc"], output_format="html"
    )
    title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), name)
    return title, Markup(html)  # our own files, rendered: trusted like the templates


@bp.get("/")
def index() -> str:
    return render_template("docs/index.html", pages=_INDEX)


@bp.get("/<path:name>")
def page(name: str) -> str:
    found = _render(name) if _PAGE.match(name) else None
    if found is None:
        abort(404, description=_("No documentation page %(name)s: the list is at /docs/.", name=repr(name)))
    title, html = found
    return render_template("docs/page.html", title=title, html=html, name=name)
