"""The joint report of a partnership group: each partner answered alone; the spread of their
views is the finding (Hardy, Hudson & Waddington's Partnership Assessment Tool treats it so).

Pure: members' per-area means in, the report out. Who is shown how is decided here, once, so
that every page (the group page, the joint report, the preview at joining) says the same:

- a member who agreed to be named is shown by name, with their side and organization;
- otherwise as "Public-sector member 1" when their side has two unnamed members or more;
- and as "Partner A" (side not shown) when they are the only unnamed member of their side,
  since a side of one would name them, and so would a side whose other members are named
  (docs/decisions/0023-partnership-groups.md, 0046-partnership-groups-review.md).

Labels are given over every member, submitted or not, so that a member has one label on the
group page, in the preview and in the joint report.

Findings by side (one side rates an area well, another poorly) use shown sides only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from lti_tool.assessment.coverage import rank_for_area
from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import Mechanism
from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l

SIDE_LABELS = {
    "public": _l("public sector"),
    "private": _l("private sector"),
    "non-profit": _l("non-profit sector"),
    "other": _l("other"),
}
_SIDE_MEMBER = {
    "public": _l("Public-sector member %(n)s"),
    "private": _l("Private-sector member %(n)s"),
    "non-profit": _l("Non-profit member %(n)s"),
    "other": _l("Member %(n)s (other side)"),
}
DIVERGENT_MIN = 1.0  # a spread of a whole point or more between two partners is worth discussing
DIVERGENT_SHOWN = 5
HIDDEN = ""  # the side of a member whose side is not shown


@dataclass(frozen=True)
class Partner:
    """A member as the domain sees them (from lti_tool.services.partnership)."""

    key: int
    name: str
    side: str
    organization: str
    named: bool
    means: Mapping[str, float | None]  # area id -> mean of their ratings; empty: not submitted
    instrument_version: int | None = None
    you: bool = False


@dataclass(frozen=True)
class Shown:
    key: int
    label: str
    side: str  # HIDDEN when not shown
    organization: str  # only for named members
    named: bool
    you: bool

    @property
    def side_label(self) -> str:
        return str(SIDE_LABELS[self.side]) if self.side in SIDE_LABELS else _("side not shown")


def shown_as(partners: Sequence[Partner]) -> dict[int, Shown]:
    """How each of ``partners`` is shown to the others (see the module's docstring)."""
    per_side: dict[str, int] = {}
    for p in partners:  # named side-mates do not hide anyone: count the unnamed only
        if not p.named:
            per_side[p.side] = per_side.get(p.side, 0) + 1
    numbers: dict[str, int] = {}
    shown: dict[int, Shown] = {}
    for p in partners:
        if p.named:
            shown[p.key] = Shown(p.key, p.name or _("A member"), p.side, p.organization, True, p.you)
            continue
        if per_side[p.side] >= 2:
            numbers[p.side] = numbers.get(p.side, 0) + 1
            label, side = str(_SIDE_MEMBER[p.side]) % {"n": numbers[p.side]}, p.side
        else:
            numbers[HIDDEN] = numbers.get(HIDDEN, 0) + 1
            label, side = _("Partner %(letter)s", letter=chr(64 + min(numbers[HIDDEN], 26))), HIDDEN
        shown[p.key] = Shown(p.key, label, side, "", False, p.you)
    return shown


@dataclass(frozen=True)
class Score:
    member: Shown
    mean: float


@dataclass(frozen=True)
class JointArea:
    number: int
    dimension_id: str
    title: str
    scores: tuple[Score, ...]  # lowest first
    by_side: Mapping[str, float]  # shown side -> mean of its members' means

    @property
    def mean(self) -> float | None:
        return fmean(s.mean for s in self.scores) if self.scores else None

    @property
    def low(self) -> float | None:
        return self.scores[0].mean if self.scores else None

    @property
    def high(self) -> float | None:
        return self.scores[-1].mean if self.scores else None

    @property
    def spread(self) -> float:
        return (self.scores[-1].mean - self.scores[0].mean) if len(self.scores) >= 2 else 0.0


@dataclass(frozen=True)
class Split:
    """An area one side rates well and another poorly."""

    area: JointArea
    high_side: str
    high: float
    low_side: str
    low: float


@dataclass(frozen=True)
class SharedPriority:
    area: JointArea
    mechanisms: tuple[Mechanism, ...]  # best first; empty: needs discussion


@dataclass(frozen=True)
class JointReport:
    members: tuple[Shown, ...]  # those who submitted, in joining order
    areas: tuple[JointArea, ...]
    divergent: tuple[JointArea, ...]  # by spread, largest first
    shared: tuple[SharedPriority, ...]  # every side below the attention cut, lowest mean first
    splits: tuple[Split, ...]
    attention_below: float
    poor_below: float
    versions: tuple[int, ...]  # instrument versions answered (more than one: said so)

    @property
    def mechanisms(self) -> tuple[tuple[Mechanism, tuple[str, ...]], ...]:
        """Each mechanism for the shared priorities once, with the areas it helps."""
        order: dict[str, tuple[Mechanism, list[str]]] = {}
        for priority in self.shared:
            for m in priority.mechanisms[:2]:
                order.setdefault(m.id, (m, []))[1].append(priority.area.title)
        return tuple((m, tuple(areas)) for m, areas in order.values())

    @property
    def without_mechanism(self) -> tuple[JointArea, ...]:
        return tuple(p.area for p in self.shared if not p.mechanisms)

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.side for m in self.members if m.side != HIDDEN))


def joint_report(
    instrument: Instrument,
    partners: Sequence[Partner],
    *,
    attention_below: float,
    poor_below: float | None = None,
    mechanisms: Sequence[Mechanism] = (),
) -> JointReport:
    """The joint picture of the partners who submitted (``means`` not empty); ``partners``:
    every member, so that labels are those of the group page.

    ``attention_below``: the scoring model's cut-off under which an area needs attention;
    ``poor_below``: under which a side rates it poorly (default: a point below that)."""
    submitted = [p for p in partners if p.means]
    shown = shown_as(partners)  # every member: the labels of the group page (0046)
    poor = attention_below - 1.0 if poor_below is None else poor_below
    areas = []
    for number, dim in enumerate(instrument.dimensions, start=1):
        scores = sorted(
            (
                Score(shown[p.key], float(mean))
                for p in submitted
                if (mean := p.means.get(dim.id)) is not None
            ),
            key=lambda s: (s.mean, s.member.label),
        )
        sides: dict[str, list[float]] = {}
        for s in scores:
            if s.member.side != HIDDEN:
                sides.setdefault(s.member.side, []).append(s.mean)
        areas.append(
            JointArea(number, dim.id, dim.title, tuple(scores), {k: fmean(v) for k, v in sides.items()})
        )
    divergent = sorted((a for a in areas if a.spread >= DIVERGENT_MIN), key=lambda a: (-a.spread, a.number))[
        :DIVERGENT_SHOWN
    ]
    shared = [
        SharedPriority(a, rank_for_area(mechanisms, instrument.dimension(a.dimension_id), ()))
        for a in sorted(areas, key=lambda a: (a.mean if a.mean is not None else 99, a.number))
        if _all_sides_below(a, attention_below)
    ]
    return JointReport(
        members=tuple(shown[p.key] for p in submitted),
        areas=tuple(areas),
        divergent=tuple(divergent),
        shared=tuple(shared),
        splits=tuple(found for a in areas if (found := _split(a, attention_below, poor)) is not None),
        attention_below=attention_below,
        poor_below=poor,
        versions=tuple(sorted({p.instrument_version for p in submitted if p.instrument_version is not None})),
    )


def _all_sides_below(area: JointArea, cut: float) -> bool:
    """Every side (members whose side is not shown counting as one more) rates it under the
    cut, on the mean of its members, with two partners or more having rated it."""
    if len(area.scores) < 2:
        return False
    hidden = [s.mean for s in area.scores if s.member.side == HIDDEN]
    means = [*area.by_side.values(), *([fmean(hidden)] if hidden else [])]
    return all(m < cut for m in means)


def _split(area: JointArea, good_from: float, poor_below: float) -> Split | None:
    if len(area.by_side) < 2:
        return None
    high_side, high = max(area.by_side.items(), key=lambda kv: kv[1])
    low_side, low = min(area.by_side.items(), key=lambda kv: kv[1])
    if high >= good_from and low < poor_below:
        return Split(area, high_side, high, low_side, low)
    return None
