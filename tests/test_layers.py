"""The layers the README describes, checked: each rule fails here before it fails in review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lti_tool"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "plugins").rglob("*.py")])
MAX_LINES = 400


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_is_longer_than_a_person_can_hold_in_their_head() -> None:
    long = {_rel(p): n for p in SOURCES if (n := len(_text(p).splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules (over {MAX_LINES} lines)"


@pytest.mark.parametrize(
    "layer",
    ["lti_tool/views", "lti_tool/assessment", "lti_tool/content", "lti_tool/plugin_api.py", "plugins"],
)
def test_views_domain_and_plugins_never_touch_the_database(layer: str) -> None:
    paths = [ROOT / layer] if layer.endswith(".py") else sorted((ROOT / layer).rglob("*.py"))
    offenders = [
        _rel(p)
        for p in paths
        if re.search(r"\bdb\.session\b|^from sqlalchemy|^import sqlalchemy|import db\b", _text(p), re.M)
    ]
    assert offenders == []


def test_the_protocol_layer_does_not_depend_on_the_plugin_api() -> None:
    offenders = [_rel(p) for p in sorted((PACKAGE / "lti").rglob("*.py")) if "plugin_api" in _text(p)]
    assert offenders == []


def test_core_code_never_names_a_built_in_grade_passback_plugin() -> None:
    names = re.compile(r"[\"'](lti_ags|gradebook_export)[\"']|catalogue\.uploaded")
    offenders = [
        _rel(p) for p in PACKAGE.rglob("*") if p.suffix in {".py", ".html"} and names.search(_text(p))
    ]
    assert offenders == []
