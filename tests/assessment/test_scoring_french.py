"""The scoring models speak the person's language (domain code and plugins, no Flask): band
labels, readings, reasons and summaries in French, numbers with a decimal comma."""

from __future__ import annotations

from lti_tool import i18n
from lti_tool.assessment.model import Responses
from lti_tool.plugin_api import validate_settings
from lti_tool_plugins.scoring.importance_gap import ImportanceGapModel
from lti_tool_plugins.scoring.threshold_bands import ThresholdBandsModel

ANSWERS = {"a-1": 5, "a-2": 4, "a-3": 4, "b-1": 3, "b-2": 4, "b-3": None, "c-1": 2, "c-2": 2, "c-3": 3}


def test_threshold_bands_in_french(make_instrument) -> None:  # type: ignore[no-untyped-def]
    small = make_instrument({"a": 3, "b": 3, "c": 4})
    responses = Responses(ANSWERS, {"a": 2, "b": 5, "c": 4})
    model = ThresholdBandsModel()
    with i18n.use("fr-CA"):
        result = model.score(small, responses, validate_settings(ThresholdBandsModel, {}))
        assert str(model.label) == "Force, limite, préoccupation"
    a, b, c = result.dimension_scores
    assert (c.band_label, c.reading) == ("Préoccupation", "À améliorer.")
    assert result.ranked_areas[0].reason == "Moyenne 2,33, sous le seuil «\u00a0limite\u00a0» de 3,0"
    assert result.summary == "1 force, 1 domaine limite, 1 préoccupation."
    # The same answers in English: nothing French leaks.
    english = model.score(small, responses, validate_settings(ThresholdBandsModel, {}))
    assert english.summary == "1 strength, 1 borderline area, 1 concern."
    assert str(model.label).startswith("Strength")


def test_importance_gap_in_french(make_instrument) -> None:  # type: ignore[no-untyped-def]
    small = make_instrument({"a": 3, "b": 3, "c": 4})
    with i18n.use("fr"):
        result = ImportanceGapModel().score(
            small, Responses(ANSWERS, {"a": 2, "b": 5}), validate_settings(ImportanceGapModel, {})
        )
    readings = " ".join(s.reading for s in result.dimension_scores)
    assert "Aucun avis sur l'importance" in readings and "seuil de" in readings
    assert "priorité" in result.ranked_areas[0].reason
    # The summary's "Quadrant : n", put together in Python: a no-break space before the colon (0039).
    assert "\u00a0: " in result.summary and " :" not in result.summary, result.summary
