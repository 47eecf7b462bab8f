"""Load workshop YAML files into validated, frozen ``Workshop`` objects.

Every failure becomes a ``ContentError`` that names the file, the entry (for
example ``sessions[2].required_readings[0]``) and the field, so that whoever
edits the YAML can find the problem without reading a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from marshmallow import ValidationError

from lti_tool.i18n import gettext

from .bilingual import DEFAULT_LANGUAGE
from .model import Workshop
from .schemas import WorkshopSchema, build_workshop

YAML_SUFFIXES = (".yaml", ".yml")
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Problem:
    """One validation failure. ``entry`` is None for top-level fields."""

    entry: str | None
    field: str | None
    message: str

    def location(self) -> str:
        return ".".join(part for part in (self.entry, self.field) if part)


class ContentError(Exception):
    """Invalid workshop content. ``entry``/``field`` describe the first problem."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        entry: str | None = None,
        field: str | None = None,
        line: int | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        self.path = Path(file)
        self.file = self.path.name
        self.entry = entry
        self.field = field
        self.line = line
        self.problems = problems or (Problem(entry, field, message),)
        super().__init__(self._render(message))

    def _render(self, message: str) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        location = Problem(self.entry, self.field, message).location()
        if location:
            where.append(location)
        text = ": ".join([*where, message])
        if len(self.problems) > 1:
            text += f" (and {len(self.problems) - 1} more problem(s))"
        return text


def default_content_dir() -> Path:
    """The workshops folder shipped inside the package."""
    return Path(__file__).resolve().parent / "workshops"


def load_workshop(path: str | Path, lang: str = DEFAULT_LANGUAGE) -> Workshop:
    """The workshop in ``path``, validated in both languages, with its texts in ``lang``.

    Kept per file text and language: a workshop is deeply immutable, and every app start read
    and validated the same text again (each test builds its own app: about a third of
    ``create_app``). Keyed by the text itself, not the file's modification time, which two
    writes within a few milliseconds can share. A text that fails is never kept (its error is
    raised again, as found)."""
    path = Path(path)
    return _kept_workshop(path, _read_text(path), lang)


@functools.lru_cache(maxsize=32)
def _kept_workshop(path: Path, text: str, lang: str) -> Workshop:
    data = _parse_yaml(path, text)
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ContentError(path, f"Expected a mapping at the top level, got {kind}.")
    try:
        return build_workshop(WorkshopSchema().load(data), lang)
    except ValidationError as err:
        raise _content_error(path, err.messages) from err


def load_workshops(directory: str | Path | None = None, lang: str = DEFAULT_LANGUAGE) -> dict[str, Workshop]:
    """Every workshop in ``directory`` (default: the packaged ones), keyed by slug, in ``lang``."""
    directory = Path(directory) if directory is not None else default_content_dir()
    if not directory.is_dir():
        raise ContentError(directory, "Not a directory.")
    workshops: dict[str, Workshop] = {}
    origins: dict[str, Path] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES):
        workshop = load_workshop(path, lang)
        if workshop.slug in origins:
            other = origins[workshop.slug].name
            message = f"Duplicate workshop slug '{workshop.slug}' (also in {other})."
            raise ContentError(path, message, field="slug")
        workshops[workshop.slug] = workshop
        origins[workshop.slug] = path
    return workshops


# --- YAML reading -------------------------------------------------------------------------


# libyaml's parser (PyYAML's wheels carry it): five times faster, and every app start reads the
# content. PyYAML built without libyaml falls back to the pure-Python parser.
if TYPE_CHECKING:
    _SafeLoader = yaml.CSafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader that rejects repeated keys, which plain YAML silently overwrites."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG:  # "<<: *anchor" may legitimately be overridden
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(path, f"Cannot read file: {err}") from err


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise ContentError(path, f"YAML syntax error: {problem}", line=line) from err


# --- marshmallow errors -> ContentError ---------------------------------------------------


def _content_error(path: Path, messages: Any) -> ContentError:
    problems = tuple(_problems(messages, []))
    first = problems[0]
    return ContentError(path, first.message, entry=first.entry, field=first.field, problems=problems)


def _problems(messages: Any, trail: list[str | int]) -> Iterator[Problem]:
    """Flatten marshmallow's nested error dict into Problems, in document order."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _problems(value, [*trail, key])
        return
    for message in messages if isinstance(messages, list) else [messages]:
        if isinstance(message, dict | list):
            yield from _problems(message, trail)
        else:
            yield Problem(*_split(trail), str(message))


def _split(trail: list[str | int]) -> tuple[str | None, str | None]:
    """['sessions', 2, 'readings', 0, 'url'] -> ('sessions[2].readings[0]', 'url').

    The field is the last name plus any indexes after it (``objectives[1]``);
    marshmallow's ``_schema`` key means the entry as a whole, so it has no field.
    """
    parts: list[str] = []
    for key in trail:
        if isinstance(key, int) and parts:
            parts[-1] += f"[{key}]"
        elif key != "_schema":
            parts.append(str(key))
    if trail and trail[-1] == "_schema":
        return (".".join(parts) or None), None
    if not parts:
        return None, None
    return (".".join(parts[:-1]) or None), parts[-1]


# --- Deep Linking ---------------------------------------------------------------------------

ItemKind = Literal["workshop", "session", "assignment", "assessment"]


@dataclass(frozen=True)
class LinkableItem:
    """Something a teacher can place in a course through LTI Deep Linking."""

    item_id: str
    kind: ItemKind
    workshop_slug: str
    ref: str | None  # session slug, "assignment", or None for the whole workshop
    title: str
    description: str
    graded: bool = False
    max_points: int | None = None
    # False: kept so that activities placed with it still open, but no longer offered in the
    # picker (the assignment page: the graded assignment is the self-assessment item).
    offered: bool = True


def linkable_items(workshop: Workshop) -> list[LinkableItem]:
    """The workshop itself, then each session in order, then the assignment page.

    The assignment page is not graded and not offered in the picker: the graded assignment is
    the self-assessment item (lti_tool.items; docs/decisions/0016-one-graded-activity.md)."""
    items = [
        LinkableItem(
            item_id=workshop.slug,
            kind="workshop",
            workshop_slug=workshop.slug,
            ref=None,
            title=workshop.title,
            description=workshop.summary,
        )
    ]
    items += [
        LinkableItem(
            item_id=f"{workshop.slug}/{session.slug}",
            kind="session",
            workshop_slug=workshop.slug,
            ref=session.slug,
            title=gettext("Session %(number)s: %(title)s", number=session.number, title=session.title),
            description=session.summary,
        )
        for session in workshop.sessions
    ]
    if workshop.assignment is not None:
        items.append(
            LinkableItem(
                item_id=f"{workshop.slug}/assignment",
                kind="assignment",
                workshop_slug=workshop.slug,
                ref="assignment",
                title=workshop.assignment.title,
                description=workshop.assignment.summary,
                offered=False,
            )
        )
    return items


def find_item(workshops: Mapping[str, Workshop], item_id: str) -> LinkableItem | None:
    workshop = workshops.get(item_id.split("/", 1)[0])
    if workshop is None:
        return None
    return next((i for i in linkable_items(workshop) if i.item_id == item_id), None)
