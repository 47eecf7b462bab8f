"""Which grade_passback plugin an activity uses, and with which settings.

An activity's settings (``passback``, ``passback_settings``) name a plugin or "auto"; an empty
choice falls back to the ``GRADES_PASSBACK`` setting. In "auto" mode the plugins are tried by
``auto_priority`` (highest first, then by name) and the first whose ``supports`` accepts the
launch is used: core code never names a plugin. Settings are validated here, once, right before
the plugin is called with them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from lti_tool.plugin_api import (
    GradePassback,
    GradeToSend,
    PluginRuntimeError,
    SettingsError,
    validate_settings,
)
from lti_tool.plugin_manager import GRADE_PASSBACK, plugins
from lti_tool.services import activity_settings

log = logging.getLogger("lti_tool.grades")

AUTO = "auto"


class NoPassbackError(ValueError):
    """No grade_passback plugin can take this launch's grades."""


def activity_choice(resource_link_pk: int | None, app: Flask | None = None) -> tuple[str, dict[str, Any]]:
    """(the plugin name or "auto", the raw settings of each plugin) of a resource link."""
    app = app or current_app
    stored = activity_settings.load(resource_link_pk) if resource_link_pk is not None else {}
    mode = str(stored.get("passback") or app.config.get("GRADES_PASSBACK") or AUTO)
    raw = stored.get("passback_settings")
    return mode, dict(raw) if isinstance(raw, Mapping) else {}


def settings_of(plugin: GradePassback, raw_by_plugin: Mapping[str, Any]) -> dict[str, Any]:
    """The plugin's validated settings (defaults filled in). Raises SettingsError."""
    raw = raw_by_plugin.get(plugin.name)
    return validate_settings(type(plugin), raw if isinstance(raw, Mapping) else {})


def choose(probe: GradeToSend, mode: str, raw_by_plugin: Mapping[str, Any], app: Flask | None = None) -> str:
    """The plugin for a launch: the one chosen, or in "auto" mode the first that supports it."""
    if mode != AUTO:  # kept even when not available now: its deliveries wait and say why
        return mode
    manager = plugins(app or current_app)
    ranked = sorted(manager.available(GRADE_PASSBACK), key=lambda p: (-p.auto_priority, p.name))
    for plugin in ranked:
        try:
            if manager.call_safely(plugin.supports, probe, settings_of(plugin, raw_by_plugin)):
                return plugin.name
        except (SettingsError, PluginRuntimeError) as exc:
            log.warning("grade_passback plugin %s skipped in auto mode: %s", plugin.name, exc)
    raise NoPassbackError("no grade_passback plugin can take this launch (see `flask plugins list`)")
