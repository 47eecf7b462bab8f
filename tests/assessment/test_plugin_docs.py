"""Every plugin kind and built-in plugin is documented (after datasette's tests/test_docs.py)."""

from pathlib import Path

import pytest

from lti_tool.plugin_manager import DEFAULT_KINDS, PluginManager

DOCS = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()


@pytest.mark.parametrize("kind", DEFAULT_KINDS, ids=lambda k: k.name)
def test_kind_documented(kind):
    assert f"`{kind.group}`" in DOCS and f"`{kind.interface.__name__}`" in DOCS


def test_builtin_plugins_and_settings_documented():
    manager = PluginManager.from_entry_points()
    for info in manager.describe():
        if info.source != "p3-workshop-lti":
            continue
        assert f"`{info.name}`" in DOCS
        plugin = manager.get(manager.kinds[info.kind], info.name)
        for field in plugin.settings_schema().fields:
            assert f"`{field}`" in DOCS, f"setting {field} of {info.name} is not documented"
