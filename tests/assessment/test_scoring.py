"""Scoring arithmetic, checked against numbers worked out by hand in the comments."""

import pytest

from lti_tool.assessment.model import Responses, missing_answers, response_errors
from lti_tool.plugin_api import SettingsError, validate_settings
from lti_tool_plugins.scoring.importance_gap import ImportanceGapModel
from lti_tool_plugins.scoring.threshold_bands import ThresholdBandsModel


@pytest.fixture
def small(make_instrument):
    return make_instrument({"a": 3, "b": 3, "c": 4})


def test_threshold_bands_hand_worked(small):
    responses = Responses(
        {
            "a-1": 5,
            "a-2": 4,
            "a-3": 4,  # a: (5+4+4)/3 = 13/3 = 4.333 -> strength
            "b-1": 3,
            "b-2": 4,
            "b-3": None,  # b: (3+4)/2 = 3.5, 1 N/A -> borderline
            "c-1": 2,
            "c-2": 2,
            "c-3": 3,
        },  # c: (2+2+3)/3 = 2.333, c-4 missing -> concern
        {"a": 2, "b": 5, "c": 4},
    )
    result = ThresholdBandsModel().score(small, responses, validate_settings(ThresholdBandsModel, {}))
    a, b, c = result.dimension_scores
    assert a.mean == pytest.approx(13 / 3) and a.band == "strength" and a.answered == 3
    assert b.mean == pytest.approx(3.5) and b.band == "borderline"
    assert (b.answered, b.not_applicable, b.unanswered) == (2, 1, 0)
    assert c.mean == pytest.approx(7 / 3) and c.band == "concern"
    assert (c.answered, c.not_applicable, c.unanswered) == (3, 0, 1)
    # Attention: c (2.33) before b (3.5); a is a strength and is not listed.
    assert [(r.rank, r.dimension_id) for r in result.ranked_areas] == [(1, "c"), (2, "b")]
    assert result.ranked_areas[0].reason == "Mean 2.33, below the borderline cut-off of 3.0"
    assert result.ranked_areas[1].reason == "Mean 3.5, below the strength cut-off of 4.0"
    # The reading says what to do; it does not repeat the band's label.
    assert (c.band_label, c.reading) == ("Concern", "Needs attention.")
    assert "orderline" not in b.reading
    # overall: mean of means = (4.333 + 3.5 + 2.333) / 3 = 10.1667 / 3 = 3.3889;
    # mapped to 0..1: (3.3889 - 1) / 4 = 0.5972
    assert result.overall == pytest.approx((61 / 18 - 1) / 4)
    assert result.overall == pytest.approx(0.5972, abs=1e-4)
    assert result.summary == "1 strength, 1 borderline area, 1 concern."


def test_threshold_bands_custom_cutoffs(small):
    responses = Responses({"a-1": 4, "a-2": 4, "a-3": 4, "b-1": 3, "b-2": 3, "b-3": 3})
    settings = {"strength_min": 4.5, "borderline_min": 3.5}
    result = ThresholdBandsModel().score(small, responses, validate_settings(ThresholdBandsModel, settings))
    # a = 4.0 < 4.5 -> borderline; b = 3.0 < 3.5 -> concern; c unanswered -> insufficient
    assert [s.band for s in result.dimension_scores] == ["borderline", "concern", "insufficient"]
    assert result.ranked_areas[0].reason == "Mean 3.0, below the borderline cut-off of 3.5"
    # c was never answered: not "don't know" (issue 13).
    assert result.score_for("c").reading == "No score: no statement was answered."


def test_all_not_applicable_dimension_is_reported_not_ranked(small):
    responses = Responses({"a-1": None, "a-2": None, "a-3": None, "b-1": 1, "b-2": 2, "b-3": 3})
    for model in (ThresholdBandsModel(), ImportanceGapModel()):
        result = model.score(small, responses, validate_settings(type(model), {}))
        a = result.score_for("a")
        assert a.mean is None and a.band == "insufficient"
        assert (a.answered, a.not_applicable) == (0, 3)
        assert "a" not in [r.dimension_id for r in result.ranked_areas]
        assert a.band_label == "Not assessed" and "“don't know / not applicable”" in a.reading
        # b: (1+2+3)/3 = 2.0, the only scored dimension -> overall (2 - 1) / 4 = 0.25
        assert result.overall == pytest.approx(0.25)


def test_nothing_answered_gives_no_overall(small):
    result = ThresholdBandsModel().score(small, Responses(), validate_settings(ThresholdBandsModel, {}))
    assert result.overall is None and result.ranked_areas == ()


def test_threshold_ties_broken_by_importance_then_order(make_instrument):
    inst = make_instrument({"x": 1, "y": 1, "z": 1})
    responses = Responses({"x-1": 2, "y-1": 2, "z-1": 2}, {"x": 1, "y": 4})
    result = ThresholdBandsModel().score(inst, responses, validate_settings(ThresholdBandsModel, {}))
    # Equal means 2.0: y (importance 4) first, then x (1) and z (not rated = 0) by order.
    assert [r.dimension_id for r in result.ranked_areas] == ["y", "x", "z"]


def test_importance_gap_hand_worked(make_instrument):
    inst = make_instrument({"p": 2, "q": 2, "r": 2, "s": 2, "t": 2})
    responses = Responses(
        {
            "p-1": 2,
            "p-2": 3,  # p: 2.5, imp 5 -> concentrate; priority 5 * (5 - 2.5) = 12.5
            "q-1": 1,
            "q-2": 2,  # q: 1.5, imp 3 -> concentrate; priority 3 * (5 - 1.5) = 10.5
            "r-1": 4,
            "r-2": 5,  # r: 4.5, imp 4 -> keep up the good work (not ranked)
            "s-1": 1,
            "s-2": 1,  # s: 1.0, imp 2 -> low priority; priority 2 * 4.0 = 8.0
            "t-1": 4,
            "t-2": 4,
        },  # t: 4.0, imp 1 -> possible overkill (not ranked)
        {"p": 5, "q": 3, "r": 4, "s": 2, "t": 1},
    )
    result = ImportanceGapModel().score(inst, responses, validate_settings(ImportanceGapModel, {}))
    assert [s.band for s in result.dimension_scores] == [
        "concentrate_here",
        "concentrate_here",
        "keep_up",
        "low_priority",
        "possible_overkill",
    ]
    ranked = result.ranked_areas
    assert [r.dimension_id for r in ranked] == ["p", "q", "s"]
    assert [r.details["priority"] for r in ranked] == [12.5, 10.5, 8.0]
    assert ranked[0].reason == (
        "Concentrate here: importance 5 of 5 × shortfall 2.5 (5 − mean 2.5) = priority 12.5"
    )
    p, q, r, s, t = result.dimension_scores
    assert p.reading == "Rated important; mean below the cut-off of 3.0: the first place to act."
    assert t.band_label == "Fine, matters less"
    # overall weighted by importance: (2.5*5 + 1.5*3 + 4.5*4 + 1*2 + 4*1) / 15
    #   = (12.5 + 4.5 + 18 + 2 + 4) / 15 = 41 / 15 = 2.7333 -> (2.7333 - 1) / 4 = 0.4333
    assert result.overall == pytest.approx((41 / 15 - 1) / 4)


def test_importance_gap_default_importance(make_instrument):
    inst = make_instrument({"p": 1})
    responses = Responses({"p-1": 2})  # importance not rated
    result = ImportanceGapModel().score(inst, responses, validate_settings(ImportanceGapModel, {}))
    # default importance 3 >= cut 3 -> important; 2 < 3 -> low performance
    assert result.ranked_areas[0].score.band == "concentrate_here"
    assert "no view given: the default" in result.ranked_areas[0].reason
    # Never "important to you" when the importance was the default.
    assert result.ranked_areas[0].score.reading.startswith("No view on importance (counted as 3, important)")
    no_view = ImportanceGapModel().score(
        inst, Responses({"p-1": 2}, {"p": None}), validate_settings(ImportanceGapModel, {})
    )
    assert no_view.ranked_areas[0].score.reading == result.ranked_areas[0].score.reading
    low = ImportanceGapModel().score(
        inst, responses, validate_settings(ImportanceGapModel, {"default_importance": 2})
    )
    assert low.ranked_areas[0].score.band == "low_priority"
    assert low.ranked_areas[0].details["priority"] == 6.0  # 2 * (5 - 2)


def test_the_two_models_rank_differently(make_instrument):
    """The teacher's explanation: importance_gap weighs how much an area matters.

    mild:   ratings 3, 2, 3, 3 -> mean 11/4 = 2.75 (only mildly weak), importance 5 (essential)
    severe: ratings 1, 2, 1, 2 -> mean  6/4 = 1.5  (very weak),        importance 1 (hardly matters)
    threshold_bands: both are concerns (< 3.0); lowest mean first -> severe, mild.
    importance_gap:  mild is "concentrate here" (priority 5 * (5 - 2.75) = 11.25);
                     severe is "low priority" (priority 1 * (5 - 1.5) = 3.5) -> mild, severe.
    """
    inst = make_instrument({"mild": 4, "severe": 4})
    responses = Responses(
        {
            "mild-1": 3,
            "mild-2": 2,
            "mild-3": 3,
            "mild-4": 3,
            "severe-1": 1,
            "severe-2": 2,
            "severe-3": 1,
            "severe-4": 2,
        },
        {"mild": 5, "severe": 1},
    )
    bands = ThresholdBandsModel().score(inst, responses, validate_settings(ThresholdBandsModel, {}))
    gap = ImportanceGapModel().score(inst, responses, validate_settings(ImportanceGapModel, {}))
    assert [r.dimension_id for r in bands.ranked_areas] == ["severe", "mild"]
    assert [r.dimension_id for r in gap.ranked_areas] == ["mild", "severe"]
    assert gap.ranked_areas[0].details["priority"] == 11.25
    assert gap.ranked_areas[1].details["priority"] == 3.5


@pytest.mark.parametrize(
    ("model", "raw", "field"),
    [
        (ThresholdBandsModel, {"borderline_min": 4.0, "strength_min": 3.5}, "borderline_min"),
        (ThresholdBandsModel, {"borderline_min": 4.0}, "borderline_min"),  # equals default 4.0
        (ThresholdBandsModel, {"strength_min": 6}, "strength_min"),
        (ThresholdBandsModel, {"strength_min": "high"}, "strength_min"),
        (ThresholdBandsModel, {"colour": "red"}, "colour"),
        (ImportanceGapModel, {"performance_cut": 0.5}, "performance_cut"),
        (ImportanceGapModel, {"default_importance": 2.5}, "default_importance"),
    ],
)
def test_bad_settings_rejected_with_field_names(model, raw, field):
    with pytest.raises(SettingsError) as info:
        validate_settings(model, raw)
    assert list(info.value.errors) == [field]
    assert model.name in str(info.value)


def test_settings_defaults():
    assert validate_settings(ThresholdBandsModel, {}) == {"strength_min": 4.0, "borderline_min": 3.0}
    assert validate_settings(ImportanceGapModel, {}) == {
        "performance_cut": 3.0,
        "importance_cut": 3.0,
        "default_importance": 3,
    }
    with pytest.raises(SettingsError):
        validate_settings(ThresholdBandsModel, {"strength_min": 9})


def test_missing_answers_counts_na_as_answered(small):
    responses = Responses({"a-1": 3, "a-2": None, "b-1": 1})
    missing = [s.id for s in missing_answers(small, responses)]
    assert missing == ["a-3", "b-2", "b-3", "c-1", "c-2", "c-3", "c-4"]
    assert missing_answers(small, Responses({s: None for s in small.statement_ids})) == []


def test_responses_from_raw_and_errors(small):
    responses = Responses.from_raw({"a-1": "4", "a-2": "na", "zz-1": 3, "b-1": 9}, {"a": "5"})
    assert responses.ratings["a-1"] == 4 and responses.ratings["a-2"] is None
    assert response_errors(small, responses) == [
        "ratings.zz-1: unknown statement",
        "ratings.b-1: 9 is not on the rating scale",
    ]
    with pytest.raises(ValueError):
        Responses.from_raw({"a-1": "four"})
    with pytest.raises(TypeError):
        responses.ratings["a-1"] = 1  # plugins get read-only views


def test_form_strings_accepted_in_settings():
    assert validate_settings(ImportanceGapModel, {"default_importance": "4", "performance_cut": "2.5"}) == {
        "performance_cut": 2.5,
        "importance_cut": 3.0,
        "default_importance": 4,
    }


def test_a_mean_at_the_cut_off_is_not_called_going_well(make_instrument):
    """3.0 is "describes it partly": at or above the cut-off, said as such, never "going well"."""
    inst = make_instrument({"p": 1})
    result = ImportanceGapModel().score(
        inst, Responses({"p-1": 3}, {"p": 4}), validate_settings(ImportanceGapModel, {})
    )
    score = result.score_for("p")
    assert score.band == "keep_up"
    assert score.reading == "Rated important; mean at or above the cut-off of 3.0: keep it up."
    assert "going well" not in score.reading


def test_models_declare_their_guides_and_use_of_importance():
    bands = ThresholdBandsModel()
    guides = bands.performance_guides(validate_settings(type(bands), {"strength_min": 4.5}))
    assert [(g.value, g.label, g.attention_below) for g in guides] == [
        (3.0, "Borderline from 3.0", False),
        (4.5, "Strength from 4.5", True),
    ]
    assert not bands.uses_importance and bands.importance_guides(validate_settings(type(bands), {})) == ()
    gap = ImportanceGapModel()
    assert gap.uses_importance
    assert [
        (g.value, g.attention_below) for g in gap.performance_guides(validate_settings(type(gap), {}))
    ] == [(3.0, True)]
    assert [g.value for g in gap.importance_guides(validate_settings(type(gap), {"importance_cut": 4}))] == [
        4.0
    ]
