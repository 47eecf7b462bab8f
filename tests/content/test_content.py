"""Workshop content: the packaged P3 workshop, the loader's errors, and Deep Linking items."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from lti_tool.content import (
    ContentError,
    Workshop,
    default_content_dir,
    find_item,
    linkable_items,
    load_workshop,
    load_workshops,
)

DATA = Path(__file__).parent / "data"
P3 = "p3-art-of-the-possible"
OUTLINE = Path("/work/shared/workshop/workshop-outline.txt")


@pytest.fixture(scope="module")
def p3() -> Workshop:
    return load_workshops()[P3]


def write_variant(tmp_path: Path, change: Any, name: str = "variant.yaml") -> Path:
    """minimal.yaml, altered by ``change(data)``, written to tmp_path."""
    data = yaml.safe_load((DATA / "minimal.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load_error(path: Path) -> ContentError:
    with pytest.raises(ContentError) as info:
        load_workshop(path)
    return info.value


# --- the packaged workshop ------------------------------------------------------------------


def test_packaged_workshop_is_found_in_default_dir() -> None:
    assert (default_content_dir() / f"{P3}.yaml").is_file()
    assert list(load_workshops()) == [P3]


def test_p3_shape(p3: Workshop) -> None:
    assert p3.title == "Private-Public Partnerships: The Art of the Possible"
    assert p3.series == "P3 Workshop Series"
    assert p3.provider == "Christopher Wilson & Associates"
    assert len(p3.objectives) == 4
    assert len(p3.background) >= 3
    assert [s.number for s in p3.sessions] == [1, 2, 3, 4, 5, 6]
    assert [s.slug for s in p3.sessions] == [f"session-{n}" for n in range(1, 7)]
    for session in p3.sessions:
        assert 2 <= len(session.discussion_prompts) <= 4, session.slug
        assert 2 <= len(session.objectives) <= 4, session.slug
        assert session.required_readings, session.slug


def test_p3_session_titles(p3: Workshop) -> None:
    assert [s.title for s in p3.sessions] == [
        "Introduction: Theories of Business - Government Relations",
        "The Art of Governance",
        "Contingent Cooperation and the Dynamics of Relationship Management",
        "Building Capacity and Investing in the Future",
        "Mechanisms",
        "Accountability for Learning",
    ]


def test_p3_reading_facts(p3: Workshop) -> None:
    session3 = p3.session(3)
    assert session3 is not None
    wilson = session3.required_readings[0]
    assert wilson.title == "Facilitating Contingent Cooperation: I will if you will"
    assert wilson.authors == ("Wilson",)
    assert wilson.url == "http://www.optimumonline.ca/article.phtml?id=271"

    session2 = p3.session(2)
    assert session2 is not None
    porcupine = [r for r in session2.required_readings if r.title == "P3s and the Porcupine problem"]
    assert [r.authors for r in porcupine] == [("Hubbard", "Paquet")]

    session5 = p3.session_by_slug("session-5")
    assert session5 is not None
    assert session5.required_readings[0].authors == ("Dutil", "Langford", "Roy")
    assert session5.required_readings[0].url == "http://www.ipac.ca/files/New%20Directions%20%2317.pdf"

    rothstein = p3.session(3).additional_readings[0]  # type: ignore[union-attr]
    assert (rothstein.source, rothstein.year) == ("Cambridge University Press", 2005)


def test_p3_text_and_chapters(p3: Workshop) -> None:
    assert p3.text is not None
    assert p3.text.title == (
        "Business and Government in Canada: Corporate and Collaborative Governance in an Interdependent Era"
    )
    assert (p3.text.authors, p3.text.source, p3.text.year) == (
        ("Jeffrey Roy",),
        "University of Ottawa Press",
        2007,
    )
    first = p3.sessions[0].required_readings[0]
    assert first.title == p3.text.title
    assert first.note == "Introduction and chapters 1 and 2 of the text."


def test_p3_bibliography_covers_every_reading_once(p3: Workshop) -> None:
    def key(r: Any) -> tuple[str, tuple[str, ...]]:
        return (r.title, r.authors)

    listed = [key(r) for r in p3.bibliography]
    assert len(listed) == len(set(listed))
    for session in p3.sessions:
        for reading in session.required_readings + session.additional_readings:
            assert key(reading) in listed, reading.title
    assert p3.text is not None and key(p3.text) in listed
    titles = {r.title for r in p3.bibliography}
    assert "Birth of a Chaordic Age" in titles
    assert "Social traps and the Problem of trust" in titles
    assert len(p3.bibliography) == 28


def test_p3_assignment(p3: Workshop) -> None:
    assert p3.assignment is not None
    assert p3.assignment.assessment_ref == "partnership-assessment"
    assert p3.assignment.max_points == 100
    assert len(p3.assignment.steps) == 4
    assert p3.help_text.strip()


@pytest.mark.skipif(not OUTLINE.is_file(), reason="workshop outline not available")
def test_p3_prose_is_not_copied_from_outline(p3: Workshop) -> None:
    """No run of eight words in our own prose may appear verbatim in the outline."""
    outline = " ".join(re.findall(r"[\w']+", OUTLINE.read_text(encoding="utf-8").lower()))
    prose = [p3.summary, p3.help_text, *p3.background, *p3.objectives]
    for s in p3.sessions:
        prose += [s.summary, *s.objectives, *s.discussion_prompts]
    assert p3.assignment is not None
    prose += [p3.assignment.summary, *p3.assignment.steps]
    for text in prose:
        words = re.findall(r"[\w']+", text.lower())
        for i in range(len(words) - 7):
            assert " ".join(words[i : i + 8]) not in outline, text


def test_model_is_immutable(p3: Workshop) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        p3.title = "changed"  # type: ignore[misc]
    assert isinstance(p3.sessions, tuple)
    assert isinstance(p3.sessions[0].required_readings[0].authors, tuple)


# --- a second workshop, added as data only -----------------------------------------------


def test_second_workshop_loads_from_directory(tmp_path: Path) -> None:
    shutil.copy(DATA / "minimal.yaml", tmp_path / "tiny.yaml")
    shutil.copy(default_content_dir() / f"{P3}.yaml", tmp_path / f"{P3}.yaml")
    (tmp_path / "notes.txt").write_text("not content", encoding="utf-8")

    workshops = load_workshops(tmp_path)

    assert sorted(workshops) == [P3, "tiny-workshop"]
    tiny = workshops["tiny-workshop"]
    assert [s.slug for s in tiny.sessions] == ["kick-off", "wrap-up"]  # sorted by number
    assert tiny.series is None and tiny.assignment is None and tiny.text is None
    assert tiny.sessions[0].required_readings[0].year == 2020
    assert tiny.sessions[1].additional_readings == ()
    assert find_item(workshops, "tiny-workshop/wrap-up") is not None


def test_duplicate_slug_across_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "minimal.yaml", tmp_path / "a.yaml")
    shutil.copy(DATA / "minimal.yaml", tmp_path / "b.yaml")
    with pytest.raises(ContentError) as info:
        load_workshops(tmp_path)
    err = info.value
    assert (err.file, err.field) == ("b.yaml", "slug")
    assert "a.yaml" in str(err) and "tiny-workshop" in str(err)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="Not a directory"):
        load_workshops(tmp_path / "absent")


# --- errors name file, entry and field ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entry", "field", "message"),
    [
        (
            "bad_url.yaml",
            "sessions[2].required_readings[0]",
            "url",
            "bad_url.yaml: sessions[2].required_readings[0].url: Not a valid URL.",
        ),
        (
            "missing_title.yaml",
            "sessions[0].additional_readings[1]",
            "title",
            "missing_title.yaml: sessions[0].additional_readings[1].title: Missing data for required field.",
        ),
        (
            "unknown_field.yaml",
            "assignment",
            "max_pionts",
            "unknown_field.yaml: assignment.max_pionts: Unknown field.",
        ),
        (
            "duplicate_session.yaml",
            "sessions[1]",
            "number",
            "duplicate_session.yaml: sessions[1].number: Duplicate session number (same as sessions[0]).",
        ),
    ],
)
def test_schema_errors_are_located(name: str, entry: str, field: str, message: str) -> None:
    err = load_error(DATA / name)
    assert (err.file, err.entry, err.field) == (name, entry, field)
    assert str(err) == message
    assert err.path == DATA / name


def test_yaml_syntax_error_names_line() -> None:
    err = load_error(DATA / "syntax_error.yaml")
    assert err.line == 4
    assert str(err).startswith("syntax_error.yaml: line 4: YAML syntax error:")


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("slug: a\ntitle: T\nslug: b\n", encoding="utf-8")
    err = load_error(path)
    assert err.line == 3
    assert "duplicate key 'slug'" in str(err)


def test_yaml_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["text"] = {"title": "Book", "authors": ["X"], "year": 2001}

    path = write_variant(tmp_path, change)
    text = path.read_text(encoding="utf-8").replace("\ntext:", "\ntext: &book", 1)
    text += "bibliography:\n- <<: *book\n  year: 2002\n"
    path.write_text(text, encoding="utf-8")
    workshop = load_workshop(path)
    assert workshop.bibliography[0].year == 2002


@pytest.mark.parametrize(("content", "kind"), [("- a\n- b\n", "list"), ("", "empty")])
def test_top_level_must_be_a_mapping(tmp_path: Path, content: str, kind: str) -> None:
    path = tmp_path / "top.yaml"
    path.write_text(content, encoding="utf-8")
    err = load_error(path)
    assert str(err) == f"top.yaml: Expected a mapping at the top level, got {kind}."


def test_not_a_mapping_fixture() -> None:
    assert "got list" in str(load_error(DATA / "not_a_mapping.yaml"))


def _set_session(index: int, key: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["sessions"][index][key] = value

    return change


@pytest.mark.parametrize(
    ("change", "location", "fragment"),
    [
        (_set_session(0, "number", 3), "sessions[0].number", "must run 1..2 without gaps"),
        (_set_session(1, "slug", "wrap-up"), "sessions[1].slug", "Duplicate session slug"),
        (_set_session(0, "slug", "assignment"), "sessions[0].slug", "reserved"),
        (_set_session(0, "slug", "Kick Off"), "sessions[0].slug", "lowercase"),
        (_set_session(0, "title", {"en": "   ", "fr": "Un"}), "sessions[0].title.en", "blank"),
        (_set_session(0, "title", {"en": "One", "fr": " "}), "sessions[0].title.fr", "blank"),
        (_set_session(0, "title", {"en": "One"}), "sessions[0].title.fr", "Missing the French text."),
        (_set_session(0, "title", "One"), "sessions[0].title", "in English and in French"),
        (_set_session(0, "title", {"en": "A", "fr": "B", "de": "C"}), "sessions[0].title.de", "Unknown"),
        (_set_session(0, "number", True), "sessions[0].number", "Not a valid integer"),
        (_set_session(0, "objectives", []), "sessions[0].objectives", "Shorter than minimum"),
        (
            _set_session(0, "objectives", [{"en": "ok", "fr": "ok"}, {"en": "ok", "fr": ""}]),
            "sessions[0].objectives[1].fr",
            "blank",
        ),
        (lambda d: d.pop("help_text"), "help_text", "Missing data"),
        (lambda d: d.update(sessions=[]), "sessions", "Shorter than minimum"),
        (
            lambda d: d.update(bibliography=[{"title": "B", "authors": []}] * 2),
            "bibliography[1].title",
            "Duplicate entry (same as bibliography[0])",
        ),
        (
            lambda d: d.update(
                assignment={
                    "title": {"en": "A", "fr": "A"},
                    "summary": {"en": "S", "fr": "S"},
                    "steps": [{"en": "x", "fr": "x"}],
                    "max_points": 0,
                }
            ),
            "assignment.max_points",
            "greater than or equal to 1",
        ),
    ],
)
def test_schema_rules(tmp_path: Path, change: Any, location: str, fragment: str) -> None:
    err = load_error(write_variant(tmp_path, change))
    assert str(err).startswith(f"variant.yaml: {location}: ")
    assert fragment in str(err)


def test_reading_year_must_be_an_integer(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["sessions"][1]["required_readings"][0]["year"] = "2020"

    err = load_error(write_variant(tmp_path, change))
    assert (err.entry, err.field) == ("sessions[1].required_readings[0]", "year")


def test_all_problems_are_kept(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["title"]
        data["colour"] = "blue"

    err = load_error(write_variant(tmp_path, change))
    assert {(p.entry, p.field) for p in err.problems} == {(None, "title"), (None, "colour")}
    assert "(and 1 more problem(s))" in str(err)


# --- Deep Linking items -------------------------------------------------------------------


def test_linkable_items(p3: Workshop) -> None:
    items = linkable_items(p3)
    assert [i.kind for i in items] == ["workshop"] + ["session"] * 6 + ["assignment"]
    assert items[0].item_id == P3 and items[0].ref is None
    assert items[3].item_id == f"{P3}/session-3" and items[3].ref == "session-3"
    assert items[3].title == ("Session 3: Contingent Cooperation and the Dynamics of Relationship Management")
    assert items[3].description == p3.sessions[2].summary
    assert items[-1].item_id == f"{P3}/assignment"
    # The assignment page is kept for activities placed with it, but is neither graded nor
    # offered: the graded assignment is the self-assessment item (lti_tool.items).
    assert not any(i.graded for i in items) and all(i.max_points is None for i in items)
    assert [i for i in items if not i.offered] == [items[-1]]
    assert len({i.item_id for i in items}) == len(items)
    assert all(i.title and i.description for i in items)


def test_find_item(p3: Workshop) -> None:
    workshops = {P3: p3}
    item = find_item(workshops, f"{P3}/session-3")
    assert item is not None and item.kind == "session" and item.ref == "session-3"
    whole = find_item(workshops, P3)
    assert whole is not None and whole.kind == "workshop"
    assignment = find_item(workshops, f"{P3}/assignment")
    assert assignment is not None and not assignment.graded and not assignment.offered
    for missing in ["", "nope", f"{P3}/session-9", "nope/session-1", f"{P3}/session-3/x"]:
        assert find_item(workshops, missing) is None


# --- true to the outline, in Canadian English (issue 13) ----------------------------------


def test_background_keeps_the_outlines_reviews_and_its_attributions(p3: Workshop) -> None:
    text = " ".join(p3.background)
    assert "Crossing Boundaries National Council (CBNC)" in text and "2006" in text
    assert "Canadian Policy Research Networks (CPRN)" in text
    reviews = next(p for p in p3.background if "reviews of partnerships" in p)
    for theme in ("pooling", "each other", "together", "incentives", "reporting", "succession"):
        assert theme in reviews, theme


def test_the_assignment_says_the_questionnaire_is_the_workshops_own(p3: Workshop) -> None:
    assert p3.assignment is not None
    step = p3.assignment.steps[0]
    assert "the workshop's own questionnaire, inspired by the CWA Partnership Test" in " ".join(step.split())


CANADIAN = {  # spelling that is not Canadian English -> what Canadian English writes
    r"\borganis": "organiz-",
    r"\bprioritis": "prioritiz-",
    r"\brecognis": "recogniz-",
    r"\bbehavior": "behaviour",
    r"\bcenters?\b": "centre",
    r"\bprogrammes?\b": "program",
    r"\bcolor\b": "colour",
}


def _english(tree: Any) -> Any:
    """The English side of bilingual content ({en, fr} mappings), for the spelling check."""
    if isinstance(tree, dict):
        if set(tree) == {"en", "fr"}:
            return tree["en"]
        return {k: _english(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_english(v) for v in tree]
    return tree


def test_what_learners_read_is_in_canadian_english() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [
        *sorted((root / "lti_tool/assessment/instruments").glob("*.yaml")),
        root / "plugins/lti_tool_plugins/catalogues/workshop.yaml",
        *sorted((root / "lti_tool/content/workshops").glob("*.yaml")),
        *sorted((root / "lti_tool/templates/assessment").glob("*.html")),
        *sorted((root / "lti_tool/templates/pages").glob("*.html")),
        *sorted((root / "lti_tool/templates/grades").glob("*.html")),
    ]
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yaml":  # French writes "programmes": check the English side only
            text = repr(_english(yaml.safe_load(text)))
        text = re.sub(r"<[^>]*>|\{[%{#].*?[%}#]\}", " ", text)  # words, not markup
        for pattern, canadian in CANADIAN.items():
            found += [
                f"{path.name}: {m.group(0)!r} (write {canadian})" for m in re.finditer(pattern, text, re.I)
            ]
    assert found == []


def test_a_workshop_is_kept_until_its_file_says_something_else(tmp_path: Path) -> None:
    """load_workshop keeps what it built for a file's text (each app start reads it), and reads
    an edited file again, also one of the same size written at once after."""
    text = (default_content_dir() / "p3-art-of-the-possible.yaml").read_text(encoding="utf-8")
    path = tmp_path / "workshop.yaml"
    path.write_text(text, encoding="utf-8")
    first = load_workshop(path)
    assert load_workshop(path) is first
    assert load_workshop(path, "fr").title == "Partenariats public-privé\u00a0: l'art du possible"

    path.write_text(
        text.replace(
            'en: "Private-Public Partnerships: The Art of the Possible"',
            'en: "Private-Public Partnerships: The Art of the Possiblf"',
            1,
        ),
        encoding="utf-8",
    )
    assert load_workshop(path).title == "Private-Public Partnerships: The Art of the Possiblf"
    path.write_text(text.replace("slug: p3-art", "slug: P3 art", 1), encoding="utf-8")
    with pytest.raises(ContentError):
        load_workshop(path)  # a text that fails is not kept, nor the one before it used
