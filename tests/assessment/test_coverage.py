"""'No obvious mechanism' comes from coverage: what each mechanism addresses, statement by
statement; areas with no score are listed as not assessed (issue 13)."""

from __future__ import annotations

import pytest

from lti_tool.assessment.catalogue import CatalogueError, parse_catalogue
from lti_tool.assessment.instrument import get_instrument
from lti_tool.assessment.model import Responses
from lti_tool.assessment.report import build_report
from lti_tool.plugin_api import MechanismCatalogue, validate_settings
from lti_tool_plugins.catalogues.uploaded import UploadedCatalogue
from lti_tool_plugins.catalogues.workshop import WorkshopCatalogue
from lti_tool_plugins.scoring.importance_gap import ImportanceGapModel
from lti_tool_plugins.scoring.threshold_bands import ThresholdBandsModel

HEADER = "id,title,summary,dimensions,effort,horizon,source,addresses\n"
MODELS = [ThresholdBandsModel(), ImportanceGapModel()]


def profile(instrument, low: dict[str, int], rest: int = 4) -> Responses:
    ratings = {s.id: low.get(d.id, rest) for d, s in instrument.statements()}
    return Responses(ratings, {d: 4 for d in instrument.dimension_ids})


def gap_keys(report) -> list[tuple[str, str | None]]:
    return [(g.dimension_id, g.statement.id if g.statement else None) for g in report.gaps]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@pytest.mark.parametrize("weak_area", ["trust", "identity"])
def test_a_weak_trust_or_identity_profile_lists_a_no_obvious_mechanism_area(instrument, model, weak_area):
    """Done when: with the built-in catalogue, weak trust or identity gives at least one
    "no obvious mechanism" item, with the catalogue's note on why."""
    report = build_report(
        instrument, profile(instrument, {weak_area: 2}), model, {}, [(WorkshopCatalogue(), {})]
    )
    assert report.priorities[0].dimension_id == weak_area
    here = [g for g in report.gaps if g.dimension_id == weak_area]
    assert here and all(g.note for g in here)
    if weak_area == "identity":  # nothing helps with identity at all: the whole area
        assert [(g.statement, g.rank) for g in here] == [(None, 1)]
    else:  # trust has mechanisms, none for confidence in the partners' motives
        assert [g.statement.theme for g in here] == ["trust-in-motives"]
        assert "motives" in here[0].note
        assert report.priorities[0].mechanisms  # and the rest of trust is helped


def test_the_gaps_the_literature_leaves_open_all_surface(instrument):
    """Motives, identity and credit, the porcupine problem, several principals, legitimacy."""
    report = build_report(
        instrument, profile(instrument, {}, rest=1), ThresholdBandsModel(), {}, [(WorkshopCatalogue(), {})]
    )
    themes = {g.statement.theme for g in report.gaps if g.statement}
    areas = {g.dimension_id for g in report.gaps if g.statement is None}
    assert {"trust-in-motives", "sector-logics", "several-principals"} <= themes
    assert {"identity", "legitimacy"} <= areas


def test_every_statement_is_addressed_or_has_a_note(instrument):
    """The built-in catalogue's gaps are deliberate: each uncovered statement has a note."""
    catalogue = WorkshopCatalogue()
    settings = validate_settings(WorkshopCatalogue, {})
    mechanisms = catalogue.mechanisms(instrument, settings)
    notes = catalogue.uncovered_notes(instrument, settings)
    for dim, statement in instrument.statements():
        covered = any(m.covers(dim.id, statement) for m in mechanisms)
        noted = {statement.id, statement.theme, dim.id} & set(notes)
        assert covered or noted, f"{statement.id} has neither a mechanism nor a note"


def test_areas_with_no_score_are_listed_as_not_assessed(instrument):
    ratings = {s.id: 2 for _, s in instrument.statements()}
    ratings |= {s.id: None for s in instrument.dimension("identity").statements}
    for s in instrument.dimension("risk").statements:
        del ratings[s.id]
    report = build_report(
        instrument, Responses(ratings), ThresholdBandsModel(), {}, [(WorkshopCatalogue(), {})]
    )
    reasons = {n.dimension_id: n.reason for n in report.not_assessed}
    assert reasons == {
        "identity": "every statement was answered “don't know / not applicable”",
        "risk": "no statement was answered",
    }
    assert not any(p.dimension_id in reasons for p in report.priorities)


def test_a_weak_uncovered_statement_counts_even_when_its_area_is_not_ranked(instrument):
    """Importance-performance ranks trust "keep up" (mean 3.25), yet motives are rated 1."""
    ratings = {s.id: 4 for _, s in instrument.statements()}
    ratings |= {
        s.id: (1 if s.theme == "trust-in-motives" else 4) for s in instrument.dimension("trust").statements
    }
    report = build_report(
        instrument, Responses(ratings, {"trust": 5}), ImportanceGapModel(), {}, [(WorkshopCatalogue(), {})]
    )
    assert report.priorities == ()
    assert [(g.dimension_id, g.statement.theme, g.rank, g.rating) for g in report.gaps] == [
        ("trust", "trust-in-motives", None, 1)
    ]


def test_summary_mechanisms_are_the_best_of_the_top_priorities_each_once(instrument):
    report = build_report(
        instrument,
        profile(instrument, {"structure": 1, "need": 2, "information": 2, "learning": 2}),
        ThresholdBandsModel(),
        {},
        [(WorkshopCatalogue(), {})],
    )
    best = [m.id for p in report.top_priorities for m in p.best]
    summary = [u.mechanism.id for u in report.summary_mechanisms]
    assert len(summary) == len(set(summary)) <= 6 and set(summary) <= set(best)
    # Each priority's best mechanism comes first; second-best ones fill what room is left.
    firsts = list(dict.fromkeys(p.best[0].id for p in report.top_priorities if p.best))
    assert summary[: len(firsts)] == firsts
    # The memorandum helps need, structure and information: listed once, with all three.
    mou = next(u for u in report.mechanisms if u.mechanism.id == "memorandum-of-understanding")
    assert set(mou.areas) >= {
        "Need and purpose",
        "Structure and governance",
        "Information sharing and reporting",
    }


def test_uploaded_catalogue_declares_coverage_in_an_optional_column(instrument):
    text = HEADER + (
        "buddy,Buddy pairs,Pair staff,trust,low,short,us,trust-in-motives\n"
        "charter,Charter,Norms,,low,short,us,sector-logics; legitimacy-2\n"  # dimensions derived
    )
    buddy, charter = parse_catalogue(text, "csv", instrument)
    assert buddy.dimensions == ("trust",) and buddy.addresses == ("trust-in-motives",)
    assert charter.dimensions == ("culture", "legitimacy")
    report = build_report(
        instrument,
        profile(instrument, {"trust": 1}),
        ThresholdBandsModel(),
        {},
        [(WorkshopCatalogue(), {}), (UploadedCatalogue(), {"text": text, "format": "csv"})],
    )
    assert not any(g.dimension_id == "trust" for g in report.gaps)  # motives now covered
    # The old seven-column format still works (covers whole dimensions).
    old = "id,title,summary,dimensions,effort,horizon,source\nx,X,S,trust,low,short,us\n"
    assert parse_catalogue(old, "csv", instrument)[0].addresses == ()


def test_uploaded_addresses_are_checked_against_the_instrument(instrument):
    text = HEADER + (
        "a,A,S,trust,low,short,us,trust-in-motivs\n"
        "b,B,S,need,low,short,us,trust-in-motives\n"
        "c,C,S,,low,short,us,\n"
    )
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, "csv", instrument)
    assert info.value.errors == [
        "Line 2, column 8 (“addresses”): “trust-in-motivs” is neither a statement id nor a theme "
        "of the questionnaire",
        "Line 3, column 8 (“addresses”): “trust-in-motives” is in the area trust, which is not "
        "among this mechanism's areas",
        "Line 4, column 4 (“dimensions”): empty; give at least one area (or what it addresses)",
    ]
    yaml_text = (
        "- {id: y, title: Y, summary: S, effort: low, horizon: short, source: us, "
        "addresses: 'trust-6; need-1'}"
    )
    assert parse_catalogue(yaml_text, "yaml", instrument)[0].dimensions == ("need", "trust")


def test_a_note_stops_applying_once_another_catalogue_covers_the_area(instrument):
    class Identity(MechanismCatalogue):
        name = "identity_help"
        label = "Identity help"
        api_version = "1.0"

        def mechanisms(self, instrument, settings):
            return parse_catalogue(HEADER + "i,Identity day,S,identity,low,short,us,\n", "csv", instrument)

    report = build_report(
        instrument,
        profile(instrument, {"identity": 1}),
        ThresholdBandsModel(),
        {},
        [(WorkshopCatalogue(), {}), (Identity(), {})],
    )
    assert report.priorities[0].mechanisms and report.priorities[0].note is None
    assert report.gaps == ()


def test_attempts_on_version_1_get_the_same_coverage():
    v1 = get_instrument(1)
    report = build_report(
        v1, profile(v1, {"trust": 2}), ThresholdBandsModel(), {}, [(WorkshopCatalogue(), {})]
    )
    assert gap_keys(report) == [("trust", "trust-2")]  # v1's statement on motives
