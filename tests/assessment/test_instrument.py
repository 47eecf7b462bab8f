from pathlib import Path

import pytest

from lti_tool.assessment.instrument import (
    INSTRUMENTS_DIR,
    InstrumentError,
    default_instrument,
    get_instrument,
    instruments_by_version,
    load_instrument,
    parse_instrument,
)

V1 = INSTRUMENTS_DIR / "partnership-v1.yaml"
V2 = INSTRUMENTS_DIR / "partnership-v2.yaml"
REQUIRED_THEMES = {
    "need",
    "structure",
    "trust",
    "accountability",
    "identity",
    "risk",
    "resources",
    "culture",
    "information",
    "continuity",
}


def test_default_instrument_shape(instrument):
    assert instrument.id == "partnership-assessment"
    assert instrument.version == 2
    assert REQUIRED_THEMES <= set(instrument.dimension_ids)
    assert len(instrument.dimensions) >= 10
    assert all(3 <= len(d.statements) <= 6 for d in instrument.dimensions)
    assert all(s.theme for _, s in instrument.statements())
    assert len(instrument.statement_ids) >= 30
    assert len(set(instrument.statement_ids)) == len(instrument.statement_ids)
    for dim in instrument.dimensions:
        assert all(s.id.startswith(f"{dim.id}-") for s in dim.statements)
    assert instrument.scale.points == (1, 2, 3, 4, 5)
    assert instrument.scale.label(None).lower().startswith("don't know")
    assert instrument.importance_scale.points == (1, 2, 3, 4, 5)


def test_scale_contains_rejects_bool_and_out_of_range(instrument):
    scale = instrument.scale
    assert scale.contains(1) and scale.contains(5)
    assert not scale.contains(0) and not scale.contains(6)
    assert not scale.contains(True) and not scale.contains("3")


def test_registry_by_version():
    versions = instruments_by_version()
    assert list(versions) == [1, 2]
    assert get_instrument(2) is versions[2] is default_instrument()
    assert get_instrument(1).version == 1  # attempts taken on version 1 keep rendering on it
    with pytest.raises(KeyError, match="no version 9"):
        get_instrument(9)


def test_registry_keeps_old_versions(tmp_path: Path):
    text = V1.read_text()
    (tmp_path / "p-v1.yaml").write_text(text)
    (tmp_path / "p-v2.yaml").write_text(
        text.replace("version: 1", "version: 2").replace(
            "Partnership self-assessment", "Partnership self-assessment (revised)"
        )
    )
    versions = instruments_by_version("partnership-assessment", tmp_path)
    assert sorted(versions) == [1, 2]
    assert versions[1].title == "Partnership self-assessment"
    assert versions[2].title.endswith("(revised)")


def _broken(old: str, new: str) -> list[str]:
    with pytest.raises(InstrumentError) as info:
        parse_instrument(V1.read_text().replace(old, new, 1), "broken.yaml")
    return info.value.errors


def test_error_names_file_entry_and_field():
    # The 2nd statement of the 4th dimension (accountability) loses its text.
    errors = _broken(
        "        text:\n          en: Our joint meetings", "        txet:\n          en: Our joint meetings"
    )
    assert "broken.yaml: dimensions[3].statements[1].text: Missing data for required field." in errors
    assert "broken.yaml: dimensions[3].statements[1].txet: Unknown field." in errors


def test_unknown_top_level_field_rejected():
    assert _broken("title:\n  en: Partnership", "colour: red\ntitle:\n  en: Partnership") == [
        "broken.yaml: colour: Unknown field."
    ]


def test_duplicate_ids_rejected():
    errors = _broken("id: trust-2", "id: trust-1")
    assert errors == ["broken.yaml: dimensions[2].statements[1].id: Duplicate statement id 'trust-1'."]


def test_scale_labels_must_match_points():
    errors = _broken("    - en: Describes us very well\n      fr: Nous décrit très bien\n", "")
    assert errors == ["broken.yaml: scale.labels: Give exactly 5 labels, one per point."]


def test_bad_yaml_and_non_mapping():
    with pytest.raises(InstrumentError, match="x.yaml: not valid YAML"):
        parse_instrument("a: [", "x.yaml")
    with pytest.raises(InstrumentError, match="expected a mapping"):
        parse_instrument("- 1", "x.yaml")


def test_load_instrument_uses_file_name(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(V1.read_text().replace("version: 1", "version: zero"))
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert info.value.errors == ["mine.yaml: version: Not a valid integer."]


def test_a_statement_id_must_start_with_its_dimension_and_keep_it_across_versions(tmp_path: Path):
    errors = _broken("- id: trust-2", "- id: trusty-2")
    assert errors == [
        "broken.yaml: dimensions[2].statements[1].id: Must start with its dimension's id: trust-..."
    ]
    # "need-ext-1" sits in need in version 1, and in a new dimension need-ext in version 3.
    (tmp_path / "p-v1.yaml").write_text(V1.read_text().replace("- id: need-1\n", "- id: need-ext-1\n"))
    moved = V1.read_text().replace("version: 1", "version: 3")
    moved = moved.replace("id: need-", "id: need-ext-").replace("  - id: need\n", "  - id: need-ext\n")
    (tmp_path / "p-v3.yaml").write_text(moved)
    with pytest.raises(InstrumentError, match="'need-ext-1' is in 'need' in version 1 but in 'need-ext' in"):
        instruments_by_version("partnership-assessment", tmp_path)
