"""The joint report of a partnership group, worked out by hand (pure: no Flask, no database)."""

from __future__ import annotations

import re

from lti_tool.assessment.model import Mechanism
from lti_tool.assessment.partnership import HIDDEN, Partner, joint_report, shown_as
from lti_tool.assessment.partnership_charts import joint_charts


def partner(key: int, side: str, named: bool = False, **means: float | None) -> Partner:
    return Partner(key, f"Name {key}", side, f"Org {key}", named, means, instrument_version=1)


def test_names_only_for_who_agreed_and_a_side_of_one_only_if_named() -> None:
    shown = shown_as(
        [
            partner(1, "public", named=True),
            partner(2, "public"),  # the only unnamed public member: a named side-mate hides no one
            partner(3, "private"),
            partner(4, "private"),
            partner(5, "non-profit"),  # alone on the side, not named: side hidden
            partner(6, "other", named=True),  # alone but named: side shown
        ]
    )
    assert [(s.label, s.side, s.organization) for s in shown.values()] == [
        ("Name 1", "public", "Org 1"),
        ("Partner A", HIDDEN, ""),
        ("Private-sector member 1", "private", ""),
        ("Private-sector member 2", "private", ""),
        ("Partner B", HIDDEN, ""),
        ("Name 6", "other", "Org 6"),
    ]
    assert shown[2].side_label == shown[5].side_label == "side not shown"


def test_divergence_shared_priorities_and_splits(make_instrument) -> None:
    inst = make_instrument({"a": 2, "b": 2, "c": 2, "d": 2})
    people = [
        partner(1, "public", True, a=4.5, b=2.0, c=3.5, d=4.0),
        partner(2, "public", False, a=4.0, b=2.5, c=3.0, d=4.0),  # only unnamed public: hidden
        partner(3, "private", True, a=1.5, b=2.0, c=3.5, d=None),
        partner(4, "non-profit", False, a=2.0, b=1.0, c=2.0, d=4.0),  # alone: side hidden
        partner(5, "private", False),  # not submitted: not in the report, but labelled
    ]
    helps_b = Mechanism("m1", "Joint board", "s", ("b",), "low", "short", "src")
    report = joint_report(inst, people, attention_below=3.0, poor_below=2.5, mechanisms=[helps_b])
    assert [m.label for m in report.members] == ["Name 1", "Partner A", "Name 3", "Partner B"]
    a, b, c, d = report.areas
    assert (a.low, a.high, a.spread) == (1.5, 4.5, 3.0)
    assert a.by_side == {"public": 4.5, "private": 1.5}  # hidden members' sides are not sides
    assert d.scores and [s.mean for s in d.scores] == [4.0, 4.0, 4.0] and d.spread == 0.0
    # Spread 3.0 (a), 1.5 (b: 1.0 to 2.5), 1.5 (c: 2.0 to 3.5); d agrees.
    assert [x.dimension_id for x in report.divergent] == ["a", "b", "c"]
    # b: public 2.0, private 2.0, hidden 1.75: all under 3.0. c: public 3.5: not shared.
    assert [p.area.dimension_id for p in report.shared] == ["b"]
    assert report.shared[0].mechanisms == (helps_b,)
    assert report.mechanisms == ((helps_b, ("B",)),) and report.without_mechanism == ()
    # a: public 4.25 rates it well (>= 3.0), private 1.5 poorly (< 2.5).
    assert [(s.area.dimension_id, s.high_side, s.low_side) for s in report.splits] == [
        ("a", "public", "private")
    ]
    assert report.sides == ("public", "private") and report.versions == (1,)


def test_a_shared_priority_without_mechanism_is_left_for_discussion(make_instrument) -> None:
    inst = make_instrument({"a": 2, "b": 2, "c": 2})
    people = [partner(1, "public", a=2.0, b=4, c=4), partner(2, "public", a=1.0, b=4, c=4)]
    report = joint_report(inst, people, attention_below=3.0)
    assert [a.dimension_id for a in report.without_mechanism] == ["a"]
    assert report.poor_below == 2.0 and report.splits == ()  # one side: no split


def test_members_on_different_versions_are_compared_by_area(make_instrument) -> None:
    inst = make_instrument({"a": 2, "b": 2, "new": 2})
    old = Partner(1, "x", "public", "", False, {"a": 3.0, "b": 3.0}, instrument_version=1)
    new = Partner(2, "y", "private", "", False, {"a": 3.0, "b": 3.0, "new": 2.0}, instrument_version=2)
    report = joint_report(inst, [old, new], attention_below=3.0)
    assert report.versions == (1, 2)
    assert [len(a.scores) for a in report.areas] == [2, 2, 1]


def test_the_joint_charts_state_every_value(make_instrument) -> None:
    inst = make_instrument({"a": 2, "b": 2, "c": 2})
    people = [
        partner(1, "public", True, a=2.0, b=3.0, c=4.0),
        partner(2, "private", True, a=4.0, b=3.0, c=4.0),
    ]
    charts = joint_charts(joint_report(inst, people, attention_below=3.0), (1, 5))
    assert "A: mean 3.0, from 2.0 to 4.0" in charts.radar_wide and 'class="radar-band"' in charts.radar_wide
    strip = charts.strips["a"]
    assert re.search(r"Name 1 \(public sector\): 2.0; Name 2 \(private sector\): 4.0", strip)
    assert strip.count("<circle") == 1 and strip.count("<rect") == 1  # one shape per side
