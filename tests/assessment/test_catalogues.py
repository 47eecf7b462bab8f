import pytest

from lti_tool.assessment.catalogue import CatalogueError
from lti_tool.assessment.model import Mechanism
from lti_tool.plugin_api import SettingsError, validate_settings
from lti_tool_plugins.catalogues.uploaded import UploadedCatalogue, parse_catalogue
from lti_tool_plugins.catalogues.workshop import WorkshopCatalogue, load_workshop_data

HEADER = "id,title,summary,dimensions,effort,horizon,source\n"
AREAS = (
    "need, structure, trust, accountability, learning, identity, risk, resources, culture, "
    "information, continuity, legitimacy"
)


def test_workshop_catalogue_size_and_coverage(instrument):
    mechanisms = WorkshopCatalogue().mechanisms(instrument, validate_settings(WorkshopCatalogue, {}))
    assert len(mechanisms) >= 20
    assert len({m.id for m in mechanisms}) == len(mechanisms)
    covered = {d for m in mechanisms for d in m.dimensions}
    # Every dimension a mechanism is filed under exists in the instrument.
    assert covered <= set(instrument.dimension_ids)
    # Deliberately uncovered areas: collective identity, legitimacy.
    assert "identity" not in covered and "legitimacy" not in covered
    # Every mechanism says precisely what it addresses, and all of it exists in the instrument.
    assert all(m.addresses and set(m.addresses) <= instrument.themes for m in mechanisms)
    notes = WorkshopCatalogue().uncovered_notes(instrument, validate_settings(WorkshopCatalogue, {}))
    assert set(notes) == {"identity", "legitimacy", "trust-in-motives", "sector-logics", "several-principals"}
    assert "motives" in notes["trust-in-motives"] and "porcupine" in notes["sector-logics"]


def test_workshop_data_file_is_complete():
    mechanisms, _ = load_workshop_data()
    for m in mechanisms:
        assert m.title and m.summary and m.source and m.addresses


def test_outside_sources_say_so():
    """Mechanisms from outside the workshop's readings are not passed off as workshop material."""
    mechanisms, _ = load_workshop_data()
    by_id = {m.id: m for m in mechanisms}
    for outside in (
        "early-in-person-meetings",
        "early-wins",
        "joint-evaluation-committee",
        "interchange-secondments",
    ):
        assert "not a workshop reading" in by_id[outside].source
    assert "Session 5" in by_id["moral-contracting"].source  # Paquet's reading is in Session 5
    assert not any("Session 3" in m.source for m in mechanisms)  # nothing here comes from Session 3


def test_workshop_catalogue_effort_filter(instrument):
    low = WorkshopCatalogue().mechanisms(
        instrument, validate_settings(WorkshopCatalogue, {"max_effort": "low"})
    )
    assert low and all(m.effort == "low" for m in low)
    with pytest.raises(SettingsError) as info:
        validate_settings(WorkshopCatalogue, {"max_effort": "huge"})
    assert list(info.value.errors) == ["max_effort"]


def test_uploaded_csv_ok(instrument):
    text = HEADER + (
        'buddy,Buddy system,"Pair staff, one from each partner",trust; continuity,low,short,'
        "Our team\n"
        "\n"  # blank lines are ignored
        "charter,Team charter,Agree ground rules,structure,medium,medium,Session 5\n"
    )
    mechanisms = parse_catalogue(text, "csv", instrument)
    assert mechanisms[0] == Mechanism(
        "buddy",
        "Buddy system",
        "Pair staff, one from each partner",
        ("trust", "continuity"),
        "low",
        "short",
        "Our team",
    )
    assert [m.id for m in mechanisms] == ["buddy", "charter"]


def _errors(text: str, fmt: str, instrument) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, fmt, instrument)
    return info.value.errors


def test_uploaded_csv_errors_name_row_and_field(instrument):
    text = HEADER + (
        "a,A,Summary,trust,low,short,src\n"  # row 2: fine
        "b,B,Summary,need,huge,short,src\n"  # row 3: bad effort
        "c,C,Summary,trusst;need,low,short,src\n"  # row 4: unknown dimension
        "a,D,,need,low,short,src\n"  # row 5: duplicate id, no summary
    )
    assert _errors(text, "csv", instrument) == [
        "Line 3, column 5 (“effort”): Must be one of: low, medium, high.",
        f"Line 4, column 4 (“dimensions”): unknown area “trusst”; the areas are {AREAS}",
        "Line 5, column 3 (“summary”): empty; this column needs a value",
        "Line 5, column 1 (“id”): the id “a” is already used on line 2; give each mechanism its own id",
    ]
    dup = HEADER + "a,A,S,trust,low,short,src\na,B,S,need,low,short,src\n"
    assert _errors(dup, "csv", instrument) == [
        "Line 3, column 1 (“id”): the id “a” is already used on line 2; give each mechanism its own id"
    ]


def test_uploaded_csv_header_errors(instrument):
    errors = _errors("id,title,colour\nx,y,z\n", "csv", instrument)
    assert (
        "Line 1, column 3 (“colour”): unknown column; the columns are "
        "id, title, summary, areas, effort, horizon, source (and, if you wish, addresses, title_fr, "
        "summary_fr, source_fr)." in errors
    )
    assert "Line 1: these columns are missing: summary, areas, effort, horizon, source." in errors
    too_many = _errors(HEADER + "a,A,S,trust,low,short,src,extra\n", "csv", instrument)
    assert too_many == [
        "Line 2: 8 values, but the first line names only 7 columns (a comma inside a value "
        "needs the value in double quotes)."
    ]
    assert _errors("", "csv", instrument) == [
        "The file has no mechanisms: after the first line, one line per mechanism."
    ]


def test_uploaded_yaml_errors_name_row_and_field(instrument):
    text = """
- id: ok
  title: Fine
  summary: Works
  dimensions: [need]
  effort: low
  horizon: short
  source: me
- id: bad
  title: Bad
  summary: Typo in a dimension
  dimensions: "need; trusst"
  effort: low
  horizon: soon
  source: me
  colour: red
- just a string
"""
    assert _errors(text, "yaml", instrument) == [
        "Line 14, column 12 (“horizon” of mechanism 2): Must be one of: short, medium, long.",
        "Line 16, column 11 (“colour” of mechanism 2): unknown column; the columns are "
        "id, title, summary, dimensions, effort, horizon, source, addresses, title_fr, summary_fr, source_fr",
        f"Line 12, column 15 (“dimensions” of mechanism 2): unknown area “trusst”; the areas are {AREAS}",
        "Line 17 (mechanism 3): expected a mechanism, with a value for each column",
    ]
    broken = _errors("- id: a\n  areas: [need, trust\n  effort: low\n", "yaml", instrument)
    assert broken[0].startswith("Line 3, column 9: this is not valid YAML: expected ',' or ']'")
    assert _errors("{a: 1}", "yaml", instrument) == [
        "Line 1: expected a list of mechanisms, each starting with “- id:” (or a “mechanisms:” list)."
    ]


def test_uploaded_yaml_dimension_error(instrument):
    text = (
        "mechanisms:\n- {id: x, title: X, summary: S, dimensions: [trusst], effort: low, "
        "horizon: short, source: me}\n"
    )
    assert _errors(text, "yaml", instrument) == [
        f"Line 2, column 45 (“dimensions” of mechanism 1): unknown area “trusst”; the areas are {AREAS}"
    ]


def test_uploaded_catalogue_plugin(instrument):
    plugin = UploadedCatalogue()
    assert plugin.mechanisms(instrument, validate_settings(UploadedCatalogue, {})) == []
    settings = {"text": HEADER + "a,A,S,trust,low,short,src\n", "format": "csv"}
    assert [m.id for m in plugin.mechanisms(instrument, validate_settings(UploadedCatalogue, settings))] == [
        "a"
    ]
    with pytest.raises(SettingsError) as info:
        validate_settings(UploadedCatalogue, {"format": "xlsx"})
    assert list(info.value.errors) == ["format"]
    assert _errors("x", "xlsx", instrument) == ["Format: choose csv or yaml, not “xlsx”."]
