"""The partnership self-assessment instrument, kept as versioned YAML data.

An instrument file is validated with marshmallow (unknown fields rejected) and turned into frozen
dataclasses. Errors name the file, the entry and the field, e.g.
``partnership-v1.yaml: dimensions[3].statements[1].text: Missing data for required field.``

Attempts record the instrument version they were answered on; ``instruments_by_version()`` keeps
every shipped version loadable, so an old attempt renders with its own statements after a new
version is added.

Every text is written in English and French (``{en: ..., fr: ...}``, lti_tool.content.bilingual);
an Instrument is built in one language (``Instrument.lang``). ``get_instrument``,
``default_instrument`` and ``instruments_by_version`` answer in the current language
(lti_tool.i18n: the launch's during a request) unless given ``lang``: an old attempt's report in
French uses the French texts of its own version.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lti_tool.content.bilingual import DEFAULT_LANGUAGE, Bilingual, language_of, localize, resolve

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"
DEFAULT_INSTRUMENT_ID = "partnership-assessment"

SLUG = validate.Regexp(r"^[a-z][a-z0-9_-]*$", error="Use lower-case letters, digits, - or _.")
NA = "na"  # how "don't know / not applicable" travels in forms and files


class InstrumentError(ValueError):
    """An instrument file is unreadable or invalid; ``errors`` lists one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Scale:
    minimum: int
    maximum: int
    labels: tuple[str, ...]  # one label per point, from minimum to maximum
    not_applicable_label: str

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.minimum, self.maximum + 1))

    def label(self, value: int | None) -> str:
        if value is None:
            return self.not_applicable_label
        return self.labels[value - self.minimum]

    def contains(self, value: object) -> bool:
        # bool is an int subclass; True must not pass as a rating of 1.
        return (
            isinstance(value, int) and not isinstance(value, bool) and (self.minimum <= value <= self.maximum)
        )


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    # A stable slug for what the statement is about (e.g. "trust-in-motives"), shared across
    # instrument versions, so that mechanism catalogues can say what they address without
    # depending on one version's statement ids.
    theme: str | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    description: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    intro: str
    help: str
    scale: Scale
    importance_scale: Scale
    dimensions: tuple[Dimension, ...]
    about: str = ""  # what the questionnaire is, and what its scores do and do not mean
    lang: str = DEFAULT_LANGUAGE  # the language of these texts (mechanism catalogues follow it)

    # Cached: instruments are immutable and shared (loaded once per file and language), and
    # every answer saved checks its item against these.
    @functools.cached_property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(f"instrument {self.id} v{self.version} has no dimension {dimension_id!r}")

    def statements(self) -> Iterator[tuple[Dimension, Statement]]:
        for dim in self.dimensions:
            for statement in dim.statements:
                yield dim, statement

    @functools.cached_property
    def statement_ids(self) -> tuple[str, ...]:
        return tuple(s.id for _, s in self.statements())

    @functools.cached_property
    def item_total(self) -> int:
        """The answers a complete attempt holds: each statement, and each area's importance."""
        return len(self.statement_ids) + len(self.dimension_ids)

    @property
    def themes(self) -> frozenset[str]:
        return frozenset(s.theme for _, s in self.statements() if s.theme)

    def dimension_of(self, statement_id: str) -> Dimension:
        for dim, statement in self.statements():
            if statement.id == statement_id:
                return dim
        raise KeyError(f"instrument {self.id} v{self.version} has no statement {statement_id!r}")


# --- schemas ---------------------------------------------------------------------------------


class ScaleSchema(Schema):
    class Meta:
        unknown = RAISE

    minimum = fields.Integer(required=True, strict=True)
    maximum = fields.Integer(required=True, strict=True)
    labels = fields.List(Bilingual(each=(validate.Length(min=1),)), required=True)
    not_applicable_label = Bilingual(required=True, each=(validate.Length(min=1),))

    @validates_schema
    def _labels_match_points(self, data: dict[str, Any], **_: Any) -> None:
        if data["maximum"] <= data["minimum"]:
            raise ValidationError("Must be greater than minimum.", "maximum")
        expected = data["maximum"] - data["minimum"] + 1
        if len(data["labels"]) != expected:
            raise ValidationError(f"Give exactly {expected} labels, one per point.", "labels")


class StatementSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=SLUG)
    text = Bilingual(required=True, each=(validate.Length(min=1, max=300),))
    theme = fields.String(load_default=None, validate=SLUG)


class DimensionSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=SLUG)
    title = Bilingual(required=True, each=(validate.Length(min=1, max=80),))
    description = Bilingual(required=True, each=(validate.Length(min=1),))
    statements = fields.List(fields.Nested(StatementSchema), required=True, validate=validate.Length(min=1))


class InstrumentSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=SLUG)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = Bilingual(required=True, each=(validate.Length(min=1),))
    intro = Bilingual(required=True)
    help = Bilingual(required=True)
    about = Bilingual(load_default=None)
    scale = fields.Nested(ScaleSchema, required=True)
    importance_scale = fields.Nested(ScaleSchema, required=True)
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _ids_unique(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[int, Any] = {}
        seen_dims: set[str] = set()
        seen_statements: set[str] = set()
        for i, dim in enumerate(data["dimensions"]):
            if dim["id"] in seen_dims:
                errors.setdefault(i, {})["id"] = [f"Duplicate dimension id {dim['id']!r}."]
            seen_dims.add(dim["id"])
            for j, statement in enumerate(dim["statements"]):
                message = None
                if statement["id"] in seen_statements:
                    message = f"Duplicate statement id {statement['id']!r}."
                elif not statement["id"].startswith(dim["id"] + "-"):
                    # Answers are grouped by area from the id alone (class view, exports).
                    message = f"Must start with its dimension's id: {dim['id']}-..."
                if message:
                    entry = errors.setdefault(i, {}).setdefault("statements", {})
                    entry[j] = {"id": [message]}
                seen_statements.add(statement["id"])
        if errors:
            raise ValidationError({"dimensions": errors})


def flatten_errors(messages: Any, path: str = "") -> list[str]:
    """Turn marshmallow's nested error dict into ``a[3].b: message`` lines."""
    if isinstance(messages, Mapping):
        lines: list[str] = []
        for key, value in messages.items():
            if isinstance(key, int):
                child = f"{path}[{key}]"
            elif key == "_schema":
                child = path
            else:
                child = f"{path}.{key}" if path else str(key)
            lines.extend(flatten_errors(value, child))
        return lines
    if isinstance(messages, list | tuple):
        return [line for m in messages for line in flatten_errors(m, path)]
    return [f"{path}: {messages}" if path else str(messages)]


def _to_instrument(data: dict[str, Any], lang: str) -> Instrument:
    lang = language_of(lang)
    data = localize(data, lang)

    def scale(raw: dict[str, Any]) -> Scale:
        return Scale(raw["minimum"], raw["maximum"], tuple(raw["labels"]), raw["not_applicable_label"])

    dims = tuple(
        Dimension(
            id=d["id"],
            title=d["title"],
            description=d["description"],
            statements=tuple(Statement(s["id"], s["text"], s["theme"]) for s in d["statements"]),
        )
        for d in data["dimensions"]
    )
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        intro=data["intro"],
        help=data["help"],
        scale=scale(data["scale"]),
        importance_scale=scale(data["importance_scale"]),
        dimensions=dims,
        about=data["about"] or "",
        lang=lang,
    )


def parse_instrument(text: str, source: str = "<instrument>", lang: str = DEFAULT_LANGUAGE) -> Instrument:
    """Parse and validate instrument YAML (both languages), built in ``lang``; ``source``
    prefixes every error message."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentError([f"{source}: not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise InstrumentError([f"{source}: expected a mapping at the top level."])
    try:
        data = InstrumentSchema().load(raw)
    except ValidationError as exc:
        raise InstrumentError([f"{source}: {line}" for line in flatten_errors(exc.messages)]) from exc
    return _to_instrument(data, lang)


def load_instrument(path: str | Path, lang: str = DEFAULT_LANGUAGE) -> Instrument:
    path = Path(path)
    return parse_instrument(path.read_text(encoding="utf-8"), source=path.name, lang=lang)


def instruments_by_version(
    instrument_id: str = DEFAULT_INSTRUMENT_ID,
    directory: str | Path = INSTRUMENTS_DIR,
    lang: str | None = None,
) -> Mapping[int, Instrument]:
    """Every shipped version of an instrument, keyed by version, in ``lang`` (default: the
    current language; cached: files never change)."""
    return _load_versions(instrument_id, _resolved(directory), resolve(lang))


@functools.lru_cache(maxsize=64)
def _resolved(directory: str | Path) -> Path:
    """A directory's absolute path, resolved once (every answer saved looks its instrument up:
    ``resolve`` is a system call per path component)."""
    return Path(directory).resolve()


@functools.cache  # positional, normalised arguments so every caller hits the same entry
def _load_versions(instrument_id: str, directory: Path, lang: str) -> Mapping[int, Instrument]:
    found: dict[int, Instrument] = {}
    for path in sorted(directory.glob("*.yaml")):
        instrument = load_instrument(path, lang)
        if instrument.id != instrument_id:
            continue
        if instrument.version in found:
            raise InstrumentError([f"{path.name}: version {instrument.version} is defined twice."])
        found[instrument.version] = instrument
    if not found:
        raise InstrumentError([f"no instrument {instrument_id!r} in {directory}"])
    _check_ids_keep_their_dimension(found.values())
    # A read-only view: callers share the cached mapping.
    return MappingProxyType(dict(sorted(found.items())))


def _check_ids_keep_their_dimension(versions: Iterable[Instrument]) -> None:
    """A statement id names one statement in one dimension in every version: answers of
    attempts on different versions are then comparable by id."""
    home: dict[str, tuple[str, int]] = {}
    for instrument in versions:
        for dim, statement in instrument.statements():
            first = home.setdefault(statement.id, (dim.id, instrument.version))
            if first[0] != dim.id:
                raise InstrumentError(
                    [
                        f"statement {statement.id!r} is in {first[0]!r} in version {first[1]} "
                        f"but in {dim.id!r} in version {instrument.version}: give it a new id"
                    ]
                )


def get_instrument(
    version: int, instrument_id: str = DEFAULT_INSTRUMENT_ID, lang: str | None = None
) -> Instrument:
    try:
        return instruments_by_version(instrument_id, lang=lang)[version]
    except KeyError:
        raise KeyError(f"instrument {instrument_id!r} has no version {version}") from None


def default_instrument(lang: str | None = None) -> Instrument:
    """The newest version of the partnership assessment (what new attempts use), in ``lang``."""
    versions = instruments_by_version(lang=lang)
    return versions[max(versions)]
