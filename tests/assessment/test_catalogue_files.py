"""Catalogue files as teachers write them (issue 18): the examples are written from the schema
and load unchanged; "areas" is the teacher's name for the column; every value's line and
column are known; YAML syntax errors say where."""

from __future__ import annotations

import pytest

from lti_tool.assessment.catalogue import column_help, parse_catalogue
from lti_tool.assessment.catalogue_files import example_csv, example_rows, example_yaml
from lti_tool.plugin_api import validate_settings
from lti_tool_plugins.catalogues.workshop import WorkshopCatalogue


@pytest.mark.parametrize("with_catalogue", [True, False])
def test_the_example_files_load_unchanged(instrument, with_catalogue):
    mechanisms = (
        WorkshopCatalogue().mechanisms(instrument, validate_settings(WorkshopCatalogue, {}))
        if with_catalogue
        else []
    )
    rows = example_rows(instrument, mechanisms)
    assert len(rows) == (3 if with_catalogue else 1)
    if with_catalogue:
        assert {r["effort"] for r in rows} == {"low", "medium", "high"}  # one per effort level
    from_csv = parse_catalogue(example_csv(rows), "csv", instrument)
    from_yaml = parse_catalogue(example_yaml(rows), "yaml", instrument)
    assert from_csv == from_yaml
    assert [m.id for m in from_csv] == [r["id"] for r in rows]
    header = "id,title,summary,areas,effort,horizon,source,addresses,title_fr,summary_fr,source_fr\n"
    assert example_csv(rows).startswith(header)
    if with_catalogue:
        assert {m.id for m in from_csv} <= {m.id for m in mechanisms}
        assert all(m.addresses for m in from_csv)


def test_areas_and_dimensions_name_the_same_column(instrument):
    row = "a,A,S,trust;need,low,short,src\n"
    by_areas = parse_catalogue("id,title,summary,areas,effort,horizon,source\n" + row, "csv", instrument)
    by_dims = parse_catalogue("id,title,summary,Dimensions,effort,horizon,source\n" + row, "csv", instrument)
    assert by_areas == by_dims and by_areas[0].dimensions == ("need", "trust")


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers_true(instrument):
    text = (
        "id,title,summary,areas,effort,horizon,source\n"
        'a,A,"Two\nlines",trust,low,short,src\n'
        "b,B,S,trusst,low,short,src\n"
    )
    with pytest.raises(ValueError) as info:
        parse_catalogue(text, "csv", instrument)
    assert str(info.value).startswith("Line 4, column 4 (“areas”): unknown area “trusst”")


def test_column_help_lists_every_column_with_its_allowed_values(instrument):
    shown = {c.name: c for c in column_help(instrument)}
    assert list(shown) == [
        *["id", "title", "summary", "areas", "effort", "horizon", "source", "addresses"],
        *["title_fr", "summary_fr", "source_fr"],
    ]
    assert "optional" in shown["title_fr"].allowed and not shown["title_fr"].required
    from lti_tool import i18n

    with i18n.use("fr"):
        french = {c.name: c for c in column_help(instrument)}
    assert french["title_fr"].allowed.startswith("le champ title en français (facultatif")
    assert (
        shown["effort"].allowed == "low, medium, high" and shown["horizon"].allowed == "short, medium, long"
    )
    assert "need (Need and purpose)" in shown["areas"].allowed and "legitimacy (" in shown["areas"].allowed
    assert shown["title"].allowed == "text, up to 120 characters"
    assert shown["addresses"].required is False and shown["id"].required is True


def test_an_uploaded_catalogue_may_carry_french_and_falls_back_to_english(instrument):
    """A teacher's file may be English only: French pages then show the English text."""
    from lti_tool.assessment.instrument import get_instrument

    french = get_instrument(instrument.version, lang="fr")
    text = (
        "id,title,summary,areas,effort,horizon,source,title_fr,summary_fr\n"
        "a,Joint review,Review together.,trust,low,short,Our practice,Examen conjoint,Examiner ensemble.\n"
        "b,Site visit,Visit each other.,need,low,short,Our practice,,\n"
    )
    en = parse_catalogue(text, "csv", instrument)
    fr = parse_catalogue(text, "csv", french)
    assert [(m.title, m.summary, m.source) for m in en] == [
        ("Joint review", "Review together.", "Our practice"),
        ("Site visit", "Visit each other.", "Our practice"),
    ]
    assert [(m.title, m.summary, m.source) for m in fr] == [
        ("Examen conjoint", "Examiner ensemble.", "Our practice"),  # no source_fr: the English
        ("Site visit", "Visit each other.", "Our practice"),
    ]


def test_the_example_file_shows_the_french_columns_filled_in(instrument):
    from lti_tool.assessment.instrument import get_instrument

    settings = validate_settings(WorkshopCatalogue, {})
    english = WorkshopCatalogue().mechanisms(instrument, settings)
    french = WorkshopCatalogue().mechanisms(get_instrument(instrument.version, lang="fr"), settings)
    rows = example_rows(instrument, english, french)
    by_id = {m.id: m for m in french}
    assert all(r["title_fr"] == by_id[r["id"]].title and r["summary_fr"] for r in rows)
    loaded = parse_catalogue(example_csv(rows), "csv", get_instrument(instrument.version, lang="fr"))
    assert [m.title for m in loaded] == [by_id[r["id"]].title for r in rows]
