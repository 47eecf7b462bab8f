"""Finds, loads and isolates plugins of every kind.

Plugins come from entry points (``importlib.metadata``); built-ins register through this
distribution's own entry points exactly like third-party ones. Each entry point is loaded in its
own try/except: one that fails to import, is not a subclass of its kind's interface, has a
mismatched name or raises when instantiated is recorded as UNAVAILABLE (and logged to
``lti_tool.plugins``) without affecting the others. Configuration mistakes the operator must fix
(two plugins with one name, a required plugin missing) raise ``PluginConfigError`` so that the
app stops at start-up.

The manager holds no global state: the app keeps one instance in ``app.extensions``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from lti_tool.plugin_api import (
    GradePassback,
    MechanismCatalogue,
    Plugin,
    ScoringModel,
    api_version_problem,
    call_safely,
)

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("lti_tool.plugins")

P = TypeVar("P", bound=Plugin)
R = TypeVar("R")
Params = ParamSpec("Params")

AVAILABLE = "available"
UNAVAILABLE = "unavailable"
BLOCKED = "blocked"


@dataclass(frozen=True)
class PluginKind(Generic[P]):
    """One kind of plugin: its short name, its entry-point group and the interface it implements.

    Code refers to a kind by this object (``manager.get(SCORING_MODELS, name)`` is a
    ``ScoringModel``), never by its name as a string.
    """

    name: str
    group: str
    interface: type[P]
    label: str


SCORING_MODELS = PluginKind("scoring_models", "lti_tool.scoring_models", ScoringModel, "Scoring models")
MECHANISM_CATALOGUES = PluginKind(
    "mechanism_catalogues", "lti_tool.mechanism_catalogues", MechanismCatalogue, "Mechanism catalogues"
)
GRADE_PASSBACK = PluginKind("grade_passback", "lti_tool.grade_passback", GradePassback, "Grade passback")
# Adding a kind: define its interface in plugin_api and add one PluginKind line here.
DEFAULT_KINDS: tuple[PluginKind[Any], ...] = (SCORING_MODELS, MECHANISM_CATALOGUES, GRADE_PASSBACK)


class PluginConfigError(RuntimeError):
    """The plugin configuration cannot work (duplicate names, required plugin missing)."""


class PluginApiVersionError(TypeError):
    """A plugin was written for a plugin API version this tool does not provide."""


class UnknownPluginError(KeyError):
    """No available plugin of that kind has that name."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


@dataclass(frozen=True)
class PluginInfo:
    kind: str
    name: str
    label: str
    version: str
    description: str
    source: str  # the distribution that provides it, e.g. "p3-workshop-lti"
    status: str  # available / unavailable / blocked
    error: str | None = None


@dataclass(frozen=True)
class Candidate:
    """Something that can produce a plugin class: an entry point or a class given directly."""

    name: str
    load: Callable[[], Any]
    source: str

    @classmethod
    def from_entry_point(cls, ep: EntryPoint) -> Candidate:
        dist = getattr(ep, "dist", None)
        return cls(ep.name, ep.load, getattr(dist, "name", None) or "unknown")

    @classmethod
    def from_class(cls, plugin_cls: type, source: str = "(registered directly)") -> Candidate:
        name = getattr(plugin_cls, "name", plugin_cls.__name__)
        return cls(name, lambda: plugin_cls, source)


def _as_candidate(item: EntryPoint | Candidate | type) -> Candidate:
    if isinstance(item, Candidate):
        return item
    if isinstance(item, type):
        return Candidate.from_class(item)
    return Candidate.from_entry_point(item)


class PluginManager:
    def __init__(
        self,
        sources: Mapping[str, Iterable[EntryPoint | Candidate | type]],
        kinds: Iterable[PluginKind[Any]] = DEFAULT_KINDS,
        *,
        blocked: Iterable[str] = (),
        required: Iterable[str] = (),
    ) -> None:
        """``sources`` maps a kind's name to its entry points (or plugin classes, for tests).

        ``blocked`` and ``required`` hold plugin names, either bare (``"weakest_link"``, any
        kind) or qualified (``"scoring_models:weakest_link"``).
        """
        self.kinds = {kind.name: kind for kind in kinds}
        unknown = set(sources) - set(self.kinds)
        if unknown:
            raise PluginConfigError(f"unknown plugin kind(s): {', '.join(sorted(unknown))}")
        self._blocked = frozenset(blocked)
        self._plugins: dict[str, dict[str, Plugin]] = {}
        self._infos: list[PluginInfo] = []
        for kind in self.kinds.values():
            self._load_kind(kind, [_as_candidate(c) for c in sources.get(kind.name, ())])
        self._check_required(required)

    @classmethod
    def from_entry_points(
        cls,
        kinds: Iterable[PluginKind[Any]] = DEFAULT_KINDS,
        *,
        blocked: Iterable[str] = (),
        required: Iterable[str] = (),
    ) -> PluginManager:
        kinds = tuple(kinds)
        sources = {kind.name: list(entry_points(group=kind.group)) for kind in kinds}
        return cls(sources, kinds, blocked=blocked, required=required)

    # --- loading ---------------------------------------------------------------------------

    def _is_blocked(self, kind: PluginKind[Any], name: str) -> bool:
        return name in self._blocked or f"{kind.name}:{name}" in self._blocked

    def _load_kind(self, kind: PluginKind[Any], candidates: list[Candidate]) -> None:
        self._plugins[kind.name] = {}
        active = [c for c in candidates if not self._is_blocked(kind, c.name)]
        self._check_duplicates(kind, active)
        active_ids = {id(c) for c in active}
        for candidate in candidates:
            if id(candidate) in active_ids:
                self._load_one(kind, candidate)
            else:
                log.info("plugin %s:%s is blocked", kind.name, candidate.name)
                self._infos.append(
                    PluginInfo(kind.name, candidate.name, candidate.name, "", "", candidate.source, BLOCKED)
                )

    @staticmethod
    def _check_duplicates(kind: PluginKind[Any], candidates: list[Candidate]) -> None:
        by_name: dict[str, list[str]] = {}
        for candidate in candidates:
            by_name.setdefault(candidate.name, []).append(candidate.source)
        clashes = {name: srcs for name, srcs in by_name.items() if len(srcs) > 1}
        if clashes:
            detail = "; ".join(f"{name!r} from {', '.join(srcs)}" for name, srcs in clashes.items())
            raise PluginConfigError(
                f"duplicate {kind.name} plugin name(s): {detail}. Uninstall one, or block it."
            )

    def _load_one(self, kind: PluginKind[Any], candidate: Candidate) -> None:
        try:
            plugin = self._instantiate(kind, candidate)
        except Exception as exc:  # any failure of a plugin must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            log.error(
                "plugin %s:%s from %s is unavailable: %s", kind.name, candidate.name, candidate.source, error
            )
            self._infos.append(
                PluginInfo(
                    kind.name, candidate.name, candidate.name, "", "", candidate.source, UNAVAILABLE, error
                )
            )
            return
        self._plugins[kind.name][candidate.name] = plugin
        self._infos.append(
            PluginInfo(
                kind.name,
                candidate.name,
                plugin.label,
                plugin.version,
                plugin.description,
                candidate.source,
                AVAILABLE,
            )
        )

    @staticmethod
    def _instantiate(kind: PluginKind[Any], candidate: Candidate) -> Plugin:
        plugin_cls = candidate.load()
        if not (isinstance(plugin_cls, type) and issubclass(plugin_cls, kind.interface)):
            raise TypeError(f"{plugin_cls!r} is not a subclass of {kind.interface.__name__}")
        declared = getattr(plugin_cls, "name", None)
        if declared != candidate.name:
            raise ValueError(f"class declares name {declared!r} but is registered as {candidate.name!r}")
        for attr in ("label", "settings_schema"):
            if not hasattr(plugin_cls, attr):
                raise TypeError(f"{plugin_cls.__name__} has no {attr!r}")
        problem = api_version_problem(plugin_cls, f"{kind.name}:{candidate.name} ({candidate.source})")
        if problem:
            raise PluginApiVersionError(problem)
        plugin: Plugin = plugin_cls()
        return plugin

    def _check_required(self, required: Iterable[str]) -> None:
        missing = []
        for entry in required:
            kind_name, _, name = entry.rpartition(":")
            kinds = [kind_name] if kind_name else list(self.kinds)
            if not any(name in self._plugins.get(k, {}) for k in kinds):
                missing.append(entry)
        if missing:
            raise PluginConfigError(
                f"required plugin(s) not available: {', '.join(missing)} "
                "(not installed, failed to load, or blocked; see the log)"
            )

    # --- queries ---------------------------------------------------------------------------

    def _kind(self, kind: PluginKind[P]) -> PluginKind[P]:
        if self.kinds.get(kind.name) is not kind:
            raise UnknownPluginError(f"unknown plugin kind {kind.name!r}")
        return kind

    def available(self, kind: PluginKind[P]) -> list[P]:
        """The loaded plugins of a kind, sorted by name."""
        kind = self._kind(kind)
        plugins = self._plugins[kind.name]
        return [p for p in (plugins[name] for name in sorted(plugins)) if isinstance(p, kind.interface)]

    def get(self, kind: PluginKind[P], name: str) -> P:
        kind = self._kind(kind)
        plugin = self._plugins[kind.name].get(name)
        if isinstance(plugin, kind.interface):  # always, once loaded: this also tells mypy
            return plugin
        status = next(
            (i.status for i in self._infos if i.kind == kind.name and i.name == name), "not installed"
        )
        raise UnknownPluginError(f"no available {kind.name} plugin named {name!r} ({status})")

    def describe(self) -> list[PluginInfo]:
        """Every plugin seen, whatever its status, sorted by kind then name."""
        order = list(self.kinds)
        return sorted(self._infos, key=lambda i: (order.index(i.kind), i.name))

    @staticmethod
    def call_safely(method: Callable[Params, R], /, *args: Params.args, **kwargs: Params.kwargs) -> R:
        """Run a plugin's bound method; a failure becomes ``PluginRuntimeError``, never a crash."""
        return call_safely(method, *args, **kwargs)


EXTENSION_KEY = "lti_tool.plugins"


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [n.strip() for n in value.split(",") if n.strip()]
    return list(value or ())


def init_app(app: Flask) -> PluginManager:
    """Discover the plugins at start-up; a PluginConfigError stops the app, naming the plugin.

    PLUGINS_EXTRA (a mapping of kind name to plugin classes) exists for tests that need a
    throwaway plugin next to the installed ones.
    """
    kinds = DEFAULT_KINDS
    sources: dict[str, list[Any]] = {kind.name: list(entry_points(group=kind.group)) for kind in kinds}
    for kind_name, classes in (app.config.get("PLUGINS_EXTRA") or {}).items():
        sources.setdefault(kind_name, []).extend(classes)
    manager = PluginManager(
        sources,
        kinds,
        blocked=_names(app.config.get("PLUGINS_BLOCKED")),
        required=_names(app.config.get("PLUGINS_REQUIRED")),
    )
    check_plugin_settings(app.config, manager)
    app.extensions[EXTENSION_KEY] = manager
    return manager


def check_plugin_settings(config: Mapping[str, Any], manager: PluginManager) -> None:
    """Settings that name plugins must name ones that are available (or start-up stops).

    A wrong GRADES_PASSBACK would otherwise fail only inside a learner's submission, and a
    misspelt PLUGINS_BLOCKED would silently leave the plugin running.
    """
    from lti_tool.settings import ENV_PREFIX, SettingsError, closest_name
    from lti_tool.settings_schema import FIELDS

    problems: list[str] = []
    for setting, field in FIELDS.items():
        kind = field.metadata.get("plugin_kind")
        value = config.get(setting)
        if not kind or value in field.metadata.get("plugin_also", ()):
            continue
        plugin_kind = manager.kinds[kind]
        choices = [*field.metadata.get("plugin_also", ()), *(p.name for p in manager.available(plugin_kind))]
        try:
            manager.get(plugin_kind, str(value))
        except UnknownPluginError as exc:
            guess = closest_name(str(value), choices)
            hint = f"; did you mean {guess!r}?" if guess else ""
            problems.append(f"{ENV_PREFIX}{setting}: {exc}{hint} (choose from {', '.join(choices)})")
    seen = {(i.kind, i.name) for i in manager.describe()}
    for entry in _names(config.get("PLUGINS_BLOCKED")):
        kind_name, _, name = entry.rpartition(":")
        if not any(n == name and (not kind_name or k == kind_name) for k, n in seen):
            guess = closest_name(name, {n for _, n in seen})
            hint = f" (did you mean {guess!r}?)" if guess else ""
            problems.append(f"{ENV_PREFIX}PLUGINS_BLOCKED: no plugin named {entry!r} is installed{hint}")
    if problems:
        raise SettingsError("; ".join(problems))


def plugins(app: Flask | None = None) -> PluginManager:
    """The app's plugin manager (built once, at start-up, by ``init_app``)."""
    from flask import current_app

    manager: PluginManager = (app or current_app).extensions[EXTENSION_KEY]
    return manager
