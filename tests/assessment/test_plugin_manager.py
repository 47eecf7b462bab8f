import logging
from importlib.metadata import EntryPoint, distribution

import pytest
from marshmallow import RAISE, Schema, fields

from lti_tool.assessment.model import Responses
from lti_tool.plugin_api import (
    PLUGIN_API_VERSION,
    PluginRuntimeError,
    ScoringModel,
    SettingsError,
    validate_settings,
)
from lti_tool.plugin_manager import (
    AVAILABLE,
    BLOCKED,
    MECHANISM_CATALOGUES,
    SCORING_MODELS,
    UNAVAILABLE,
    PluginConfigError,
    PluginKind,
    PluginManager,
    UnknownPluginError,
)
from lti_tool_plugins.scoring.threshold_bands import ThresholdBandsModel

GROUP = "lti_tool.scoring_models"
BANDS = "lti_tool_plugins.scoring.threshold_bands:ThresholdBandsModel"


class ExplodingModel(ScoringModel):
    """Loads fine, fails at score time."""

    name = "exploding"
    label = "Exploding"
    api_version = "1.0"

    def score(self, instrument, responses, settings):
        raise ZeroDivisionError("division by zero in a plugin")


class WrongResultModel(ScoringModel):
    name = "wrong_result"
    label = "Wrong result"
    api_version = "1.0"

    def score(self, instrument, responses, settings):
        return {"not": "a ScoringResult"}


class FailsOnInit(ScoringModel):
    name = "fails_on_init"
    label = "Fails on init"
    api_version = "1.0"

    def __init__(self):
        raise RuntimeError("cannot connect")

    def score(self, instrument, responses, settings):  # pragma: no cover
        raise AssertionError


class StrictSettings(Schema):
    class Meta:
        unknown = RAISE

    depth = fields.Integer(load_default=1)


class NeedsSettings(ExplodingModel):
    name = "needs_settings"
    settings_schema = StrictSettings

    def score(self, instrument, responses, settings):
        validate_settings(type(self), settings)  # e.g. a plugin checking a nested value itself
        raise AssertionError("unreachable with bad settings")


def ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


def scoring_manager(*sources, **kwargs) -> PluginManager:
    return PluginManager({"scoring_models": list(sources)}, **kwargs)


def test_discovers_builtins_through_real_entry_points():
    manager = PluginManager.from_entry_points()
    scoring = {p.name for p in manager.available(SCORING_MODELS)}
    catalogues = {p.name for p in manager.available(MECHANISM_CATALOGUES)}
    assert {"threshold_bands", "importance_gap"} <= scoring
    assert {"workshop", "uploaded"} <= catalogues
    assert isinstance(manager.get(SCORING_MODELS, "threshold_bands"), ThresholdBandsModel)
    info = {(i.kind, i.name): i for i in manager.describe()}
    builtin = info[("scoring_models", "threshold_bands")]
    assert builtin.source == "p3-workshop-lti"
    assert builtin.status == AVAILABLE and builtin.error is None
    assert builtin.label == ThresholdBandsModel.label and builtin.version == "1"


def test_discovers_third_party_sample_plugin():
    try:
        distribution("p3-sample-plugin")
    except Exception:
        pytest.skip(
            "p3-sample-plugin is not installed: run "
            "`.venv/bin/pip install -e tests/sample_plugin` (make install-dev does)"
        )
    manager = PluginManager.from_entry_points(required=["scoring_models:weakest_link"])
    model = manager.get(SCORING_MODELS, "weakest_link")
    info = next(i for i in manager.describe() if i.name == "weakest_link")
    assert info.source == "p3-sample-plugin" and info.status == AVAILABLE
    assert manager.get(MECHANISM_CATALOGUES, "sample_tips").label == "Sample tips"
    # It works through the same interface as the built-ins.
    from lti_tool.assessment.instrument import default_instrument

    inst = default_instrument()
    ratings = {s: 4 for s in inst.statement_ids} | {inst.dimension("trust").statements[1].id: 1}
    result = model.score(inst, Responses(ratings), validate_settings(type(model), {"concern_below": 3}))
    assert [a.dimension_id for a in result.ranked_areas] == ["trust"]
    with pytest.raises(SettingsError):
        validate_settings(type(model), {"concern_below": 9})


def test_import_error_is_isolated_and_reported(caplog):
    caplog.set_level(logging.ERROR, logger="lti_tool.plugins")
    manager = scoring_manager(ep("ghost", "p3_no_such_module:Model"), ep("threshold_bands", BANDS))
    assert [p.name for p in manager.available(SCORING_MODELS)] == ["threshold_bands"]
    ghost = next(i for i in manager.describe() if i.name == "ghost")
    assert ghost.status == UNAVAILABLE
    assert ghost.error.startswith("ModuleNotFoundError: No module named 'p3_no_such_module'")
    assert "ghost" in caplog.text and "p3_no_such_module" in caplog.text
    with pytest.raises(UnknownPluginError, match=r"'ghost' \(unavailable\)"):
        manager.get(SCORING_MODELS, "ghost")


def test_wrong_type_mismatched_name_and_failing_init_are_unavailable():
    manager = scoring_manager(
        ep("loads", "json:loads"),  # not a class
        ep("catalogue", "lti_tool_plugins.catalogues.workshop:WorkshopCatalogue"),  # wrong kind
        ep("alias", BANDS),  # name differs from the class's name
        FailsOnInit,
    )
    errors = {i.name: i.error for i in manager.describe()}
    assert all(i.status == UNAVAILABLE for i in manager.describe())
    assert "is not a subclass of ScoringModel" in errors["loads"]
    assert "is not a subclass of ScoringModel" in errors["catalogue"]
    assert "declares name 'threshold_bands' but is registered as 'alias'" in errors["alias"]
    assert errors["fails_on_init"] == "RuntimeError: cannot connect"
    assert manager.available(SCORING_MODELS) == []


def test_plugin_raising_at_score_time_becomes_runtime_error(instrument, caplog):
    manager = scoring_manager(ExplodingModel, WrongResultModel)
    with pytest.raises(PluginRuntimeError) as info:
        manager.call_safely(manager.get(SCORING_MODELS, "exploding").score, instrument, Responses(), {})
    assert info.value.plugin_name == "exploding"
    assert "division by zero in a plugin" in str(info.value)
    assert "exploding" in caplog.text
    with pytest.raises(PluginRuntimeError, match="returned dict, expected ScoringResult"):
        manager.call_safely(manager.get(SCORING_MODELS, "wrong_result").score, instrument, Responses(), {})


def test_duplicate_names_raise_config_error():
    with pytest.raises(PluginConfigError, match="'threshold_bands'"):
        scoring_manager(ep("threshold_bands", BANDS), ep("threshold_bands", BANDS))


def test_block_list_skips_and_resolves_duplicates():
    manager = scoring_manager(
        ep("threshold_bands", BANDS), ExplodingModel, blocked={"scoring_models:exploding"}
    )
    status = {i.name: i.status for i in manager.describe()}
    assert status == {"exploding": BLOCKED, "threshold_bands": AVAILABLE}
    with pytest.raises(UnknownPluginError, match="blocked"):
        manager.get(SCORING_MODELS, "exploding")
    # Blocking a name also silences a clash between two plugins of that name.
    clash = scoring_manager(
        ep("threshold_bands", BANDS), ep("threshold_bands", BANDS), blocked={"threshold_bands"}
    )
    assert clash.available(SCORING_MODELS) == []


def test_required_plugins():
    scoring_manager(ep("threshold_bands", BANDS), required=["threshold_bands"])
    with pytest.raises(PluginConfigError, match="scoring_models:importance_gap"):
        scoring_manager(ep("threshold_bands", BANDS), required=["scoring_models:importance_gap"])
    with pytest.raises(PluginConfigError, match="ghost"):
        scoring_manager(ep("ghost", "p3_no_such_module:Model"), required=["ghost"])
    with pytest.raises(PluginConfigError, match="threshold_bands"):
        scoring_manager(
            ep("threshold_bands", BANDS), blocked=["threshold_bands"], required=["threshold_bands"]
        )


def test_unknown_kind_and_name():
    manager = scoring_manager(ep("threshold_bands", BANDS))
    stranger = PluginKind("report_exporters", "lti_tool.report_exporters", ScoringModel, "Exporters")
    with pytest.raises(UnknownPluginError, match="unknown plugin kind 'report_exporters'"):
        manager.available(stranger)
    with pytest.raises(UnknownPluginError, match="no available scoring_models plugin named 'x'"):
        manager.get(SCORING_MODELS, "x")
    with pytest.raises(PluginConfigError, match="unknown plugin kind"):
        PluginManager({"widgets": []})


def test_settings_error_passes_through_call_safely(instrument):
    manager = scoring_manager(NeedsSettings)
    plugin = manager.get(SCORING_MODELS, "needs_settings")
    with pytest.raises(SettingsError):
        manager.call_safely(plugin.score, instrument, Responses(), {"depth": "deep"})


def test_a_new_kind_is_one_plugin_kind_line():
    from abc import abstractmethod

    from lti_tool.plugin_api import Plugin
    from lti_tool.plugin_manager import DEFAULT_KINDS, PluginKind

    class ReportExporter(Plugin):
        @abstractmethod
        def export(self, title: str) -> bytes: ...

    class Echo(ReportExporter):
        name = "echo"
        label = "Echo"
        api_version = "1.0"

        def export(self, title: str) -> bytes:
            return title.encode()

    exporters = PluginKind("report_exporters", "lti_tool.report_exporters", ReportExporter, "Exporters")
    manager = PluginManager({"report_exporters": [Echo]}, (*DEFAULT_KINDS, exporters))
    echo = manager.get(exporters, "echo")  # typed: an ReportExporter
    assert [p.name for p in manager.available(exporters)] == ["echo"]
    assert manager.call_safely(echo.export, "x") == b"x"
    assert manager.available(SCORING_MODELS) == []


def test_plugin_api_version_is_checked_at_load(caplog):
    def model(name: str, **attrs):
        return type(name, (ThresholdBandsModel,), {"name": name, **attrs})

    major = int(PLUGIN_API_VERSION.split(".")[0])
    minor = int(PLUGIN_API_VERSION.split(".")[1])
    manager = scoring_manager(
        model("old_major", api_version=f"{major - 1}.0"),
        model("newer_minor", api_version=f"{major}.{minor + 1}"),
        model("same", api_version=f"{major}.0"),
        model("silent", api_version=""),
    )
    errors = {i.name: i.error for i in manager.describe()}
    assert [p.name for p in manager.available(SCORING_MODELS)] == ["same"]
    assert errors["old_major"] == (
        f"PluginApiVersionError: plugin scoring_models:old_major ((registered directly)) was written "
        f"for plugin API {major - 1}.0; this tool provides plugin API {PLUGIN_API_VERSION}"
    )
    assert f"written for plugin API {major}.{minor + 1}" in errors["newer_minor"]
    assert "declares no api_version" in errors["silent"]
    assert "old_major" in caplog.text
