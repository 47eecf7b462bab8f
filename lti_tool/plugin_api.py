"""The public plugin interface: one typed abstract base class per plugin kind.

A plugin is a class registered under an entry point. It declares ``name`` (unique within its
kind, equal to the entry-point name), ``label``, ``description``, ``version``, the
``api_version`` of this interface it was written for, and a marshmallow ``settings_schema``; its
methods take plain data (instrument, responses, settings already validated by the tool) and
return plain data. Plugins never see Flask, the request or the database.

See docs/plugins.md for a complete third-party example.
"""

from __future__ import annotations

import logging
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, ParamSpec, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints

from marshmallow import RAISE, Schema, ValidationError

from lti_tool.assessment.instrument import Instrument, flatten_errors
from lti_tool.assessment.model import Guide, Mechanism, Responses, ScoringResult
from lti_tool.i18n import TOOL_TEXTS as TOOL_TEXTS  # a plugin's texts: docs/plugins.md "Languages"
from lti_tool.i18n import Catalogue as Catalogue
from lti_tool.i18n import lazy_gettext

log = logging.getLogger("lti_tool.plugins")

R = TypeVar("R")
Params = ParamSpec("Params")

#: The version of this interface. A plugin declares the version it was written for in
#: ``api_version``; it loads when the major numbers are equal and its minor is not newer than
#: ours (a minor version only adds optional things). See docs/plugins.md.
PLUGIN_API_VERSION = "1.1"  # 1.1: GradePassback.scale, DestinationScale, scores in results


def _parse_version(value: str) -> tuple[int, int]:
    major, _, minor = str(value).partition(".")
    return int(major), int(minor or 0)


def api_version_problem(plugin_cls: type[Plugin], name: str = "") -> str | None:
    """Why the tool cannot load a plugin written for another plugin API version (None: it can)."""
    declared = getattr(plugin_cls, "api_version", None)
    name = name or getattr(plugin_cls, "name", plugin_cls.__name__)
    if not isinstance(declared, str) or not declared:
        return (
            f"plugin {name} declares no api_version; this tool provides plugin API "
            f"{PLUGIN_API_VERSION} (add api_version = {PLUGIN_API_VERSION!r} to the class)"
        )
    try:
        wanted, provided = _parse_version(declared), _parse_version(PLUGIN_API_VERSION)
    except ValueError:
        return f"plugin {name} declares api_version {declared!r}, which is not MAJOR.MINOR"
    if wanted[0] != provided[0] or wanted[1] > provided[1]:
        return (
            f"plugin {name} was written for plugin API {declared}; "
            f"this tool provides plugin API {PLUGIN_API_VERSION}"
        )
    return None


class NoSettings(Schema):
    """The settings schema of a plugin that takes no settings."""

    class Meta:
        unknown = RAISE


class SettingsError(ValueError):
    """Settings failed validation; ``errors`` maps a field path to its messages."""

    def __init__(self, plugin_name: str, errors: dict[str, list[str]]) -> None:
        self.plugin_name = plugin_name
        self.errors = errors
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        super().__init__(f"invalid settings for plugin {plugin_name!r}: {detail}")


class PluginRuntimeError(RuntimeError):
    """A plugin raised (or returned the wrong type) while serving a request."""

    def __init__(self, plugin_name: str, method: str, error: BaseException | str) -> None:
        self.plugin_name = plugin_name
        self.method = method
        self.error = error
        super().__init__(f"plugin {plugin_name!r} failed in {method}(): {error}")


class Plugin(ABC):  # noqa: B024 - a shared base with metadata only; kinds add the abstract methods
    """Metadata every plugin kind shares."""

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    #: The PLUGIN_API_VERSION this plugin was written for: every plugin must declare it.
    api_version: ClassVar[str]
    #: Settings arrive loaded through this schema (defaults filled in): the tool validates them
    #: once, before it calls the plugin; a plugin never validates them again.
    settings_schema: ClassVar[type[Schema]] = NoSettings


class ScoringModel(Plugin):
    """Turns one set of responses into dimension scores and ranked areas needing attention."""

    #: True when the importance ratings change the ranking (the report then shows an
    #: importance-performance chart).
    uses_importance: ClassVar[bool] = False
    #: How ``overall`` is computed, completing "Your overall result is ..." (shown with grades).
    overall_description: ClassVar[str] = lazy_gettext("the mean of your area means")

    @abstractmethod
    def score(
        self, instrument: Instrument, responses: Responses, settings: Mapping[str, Any]
    ) -> ScoringResult: ...

    def performance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        """Optional: the cut-offs means are read against (threshold rings on the charts; the
        one marked ``attention_below`` lets the class view count areas needing attention)."""
        return ()

    def importance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        """Optional: the cut-offs importance ratings are read against."""
        return ()


class MechanismCatalogue(Plugin):
    """Offers mechanisms (practical remedies), each mapped to the dimensions it addresses."""

    @abstractmethod
    def mechanisms(self, instrument: Instrument, settings: Mapping[str, Any]) -> list[Mechanism]: ...

    def uncovered_notes(self, instrument: Instrument, settings: Mapping[str, Any]) -> dict[str, str]:
        """Optional: why the catalogue offers nothing for some areas, keyed by dimension id,
        statement id or theme; the report shows the note next to the uncovered area."""
        return {}


def validate_settings(plugin_cls: type[Plugin], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Load ``raw`` through the plugin's settings schema, or raise ``SettingsError``."""
    schema = plugin_cls.settings_schema(unknown=RAISE)
    try:
        loaded = schema.load(dict(raw))
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for line in flatten_errors(exc.messages):
            path, _, message = line.partition(": ")
            if not message:  # a schema-wide message has no field path
                path, message = "_schema", path
            errors.setdefault(path, []).append(message)
        raise SettingsError(plugin_cls.name, errors) from exc
    return dict(loaded)


def default_settings(plugin_cls: type[Plugin]) -> dict[str, Any]:
    return validate_settings(plugin_cls, {})


@cache
def _declared_return(plugin_cls: type[Plugin], method: str) -> type | tuple[type, ...] | None:
    """The return type(s) an interface in this module declares for ``method`` (None: unknown)."""
    for klass in plugin_cls.__mro__:
        if klass.__module__ == __name__ and method in vars(klass):
            hint = get_type_hints(vars(klass)[method]).get("return")
            if get_origin(hint) in (Union, types.UnionType):  # X | None: any of them
                members = tuple(get_origin(a) or a for a in get_args(hint))
                return members if all(isinstance(m, type) for m in members) else None
            found = get_origin(hint) or hint
            return found if isinstance(found, type) else None
    return None


def call_safely(method: Callable[Params, R], /, *args: Params.args, **kwargs: Params.kwargs) -> R:
    """Call a plugin's bound method; any exception, or a result that is not of the type its
    interface declares, becomes ``PluginRuntimeError`` (and is logged), never a crash.

    ``SettingsError`` passes through unchanged: it is the caller's input that is wrong.
    """
    plugin = getattr(method, "__self__", None)
    method_name = getattr(method, "__name__", "?")
    name = getattr(plugin, "name", type(plugin).__name__)
    try:
        result = method(*args, **kwargs)
    except SettingsError:
        raise
    except Exception as exc:
        log.exception("plugin %r failed in %s()", name, method_name)
        raise PluginRuntimeError(name, method_name, exc) from exc
    expected = _declared_return(type(plugin), method_name) if isinstance(plugin, Plugin) else None
    if expected is not None and not isinstance(result, expected):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        message = f"returned {type(result).__name__}, expected {names}"
        log.error("plugin %r %s() %s", name, method_name, message)
        raise PluginRuntimeError(name, method_name, message)
    return result


# --- grade passback -----------------------------------------------------------------------


@dataclass(frozen=True)
class GradeToSend:
    """One grade version to deliver, as plain data (the AGS score fields, and where to)."""

    user_id: str  # the platform's user id (the launch's sub)
    score_given: float
    score_maximum: float
    comment: str
    timestamp: str  # ISO 8601 with a time zone: when the grade was given
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    resource_link_id: str = ""
    resource_link_title: str = ""
    line_item_url: str | None = None  # the launch's (or an already found) line item
    line_items_url: str | None = None  # the launch's line items container
    scopes: tuple[str, ...] = ()  # the AGS scopes the platform granted


class PassbackOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY_AFTER = "retry_after"
    PERMANENT_ERROR = "permanent_error"
    TOKEN_EXPIRED = "token_expired"


@dataclass(frozen=True)
class PassbackResult:
    outcome: PassbackOutcome
    message: str = ""
    retry_after: float | None = None  # seconds the platform asked us to wait, if it said
    status_code: int | None = None
    line_item_url: str | None = None  # the line item found or created, for reuse
    # The score as the destination now holds it, when the plugin sent it on the destination's
    # own scale (an LMS line item's points): the tool shows that from then on.
    score_given: float | None = None
    score_maximum: float | None = None

    @classmethod
    def delivered(
        cls,
        message: str = "",
        line_item_url: str | None = None,
        score_given: float | None = None,
        score_maximum: float | None = None,
    ) -> PassbackResult:
        return cls(
            PassbackOutcome.DELIVERED,
            message,
            line_item_url=line_item_url,
            score_given=score_given,
            score_maximum=score_maximum,
        )

    @classmethod
    def retry(
        cls, message: str, retry_after: float | None = None, status_code: int | None = None
    ) -> PassbackResult:
        return cls(PassbackOutcome.RETRY_AFTER, message, retry_after, status_code)

    @classmethod
    def permanent(cls, message: str, status_code: int | None = None) -> PassbackResult:
        return cls(PassbackOutcome.PERMANENT_ERROR, message, status_code=status_code)

    @classmethod
    def token_expired(cls, message: str = "the access token was refused") -> PassbackResult:
        return cls(PassbackOutcome.TOKEN_EXPIRED, message, status_code=401)


class TransportError(Exception):
    """Raised by a GradeTransport: ``kind`` is retry, permanent or token_expired."""

    def __init__(
        self, kind: str, message: str, status_code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after


class GradeTransport(Protocol):
    """What the app hands a passback plugin to reach the platform's AGS (lti_tool.lti.ags).

    Every method raises ``TransportError`` when the platform cannot be reached or refuses.
    """

    def post_score(self, line_item_url: str, score: Mapping[str, Any]) -> None: ...

    def get_line_item(self, line_item_url: str, fresh: bool = False) -> Mapping[str, Any]:
        """The line item as the platform describes it (label, scoreMaximum, ...): possibly as
        another delivery read it a few seconds ago, unless ``fresh``."""
        ...

    def find_line_item(
        self, line_items_url: str, *, resource_link_id: str, resource_id: str, tag: str
    ) -> str | None: ...

    def create_line_item(
        self,
        line_items_url: str,
        *,
        label: str,
        score_maximum: float,
        resource_link_id: str,
        resource_id: str,
        tag: str,
    ) -> str: ...


@dataclass(frozen=True)
class DestinationScale:
    """What a destination says of an activity's scale (``GradePassback.scale``).

    ``score_maximum``: the points it grades the activity on (an LMS line item's scoreMaximum),
    None when it has no scale of its own or could not say. ``line_item_url``: where it keeps the
    activity's grades. ``graded``: False when it keeps no grades for the activity at all (no
    line item). ``problem``: why it could not be asked now (asked again later);
    ``token_expired``: the access token was refused (the tool asks once more with a new one).
    """

    score_maximum: float | None = None
    line_item_url: str | None = None
    graded: bool = True
    problem: str = ""
    token_expired: bool = False


@dataclass(frozen=True)
class GradeRecord:
    """One learner's grade as the tool keeps it, for a plugin's export (plain data)."""

    user_id: str
    name: str
    email: str
    score_given: float
    score_maximum: float
    comment: str
    graded_at: datetime  # UTC
    status: str  # pending / delivered / failed


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: str


class GradePassback(Plugin):
    """Takes a learner's grade to wherever the course keeps grades.

    Each method receives the plugin's settings for the activity, already validated.
    """

    #: False for plugins that need no network (the app then passes ``transport=None``).
    uses_transport: ClassVar[bool] = True
    #: In "auto" mode the tool uses the plugin with the highest priority whose ``supports``
    #: accepts the launch (ties: by name). A fallback that accepts anything should stay low.
    auto_priority: ClassVar[int] = 50
    #: Set to offer instructors a download of the activity's grades (``export``), e.g. "CSV".
    export_label: ClassVar[str] = ""

    def supports(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        """Whether this plugin can deliver grades of that launch (used to pick one)."""
        return True

    def creates_line_item(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        """Whether delivering ``grade`` may create the resource link's line item on the
        platform. The tool then lets one delivery at a time do it, and gives the URL the plugin
        returns (``PassbackResult.line_item_url``) to the next deliveries as
        ``grade.line_item_url``, so concurrent first grades create one line item."""
        return False

    def scale(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> DestinationScale:
        """The points the destination grades this activity on (plugin API 1.1). ``grade`` is a
        probe: its score fields are the tool's current scale, its URLs the launch's. The default,
        for destinations without a scale of their own, says so: the tool's scale is used."""
        return DestinationScale()

    @abstractmethod
    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        """Deliver one grade. ``PassbackResult.delivered(message)``: ``message`` is what people
        see next to the grade (e.g. "In the LMS gradebook")."""

    def export(self, grades: Sequence[GradeRecord], settings: Mapping[str, Any]) -> ExportFile:
        """The activity's grades as a file to download (only when ``export_label`` is set)."""
        raise NotImplementedError(f"{self.name} offers no export")
