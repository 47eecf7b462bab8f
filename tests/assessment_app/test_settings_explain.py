"""Settings that explain themselves (issue 18): an error summary at the top linking to each
field by its label, allowed values beside the fields, example catalogues written from the schema
that are accepted unchanged, and a saved summary naming the catalogues in use."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.assessment_app.conftest import ITEM, Taker
from tests.support.lms import INSTRUCTOR

BROKEN = "id,title,summary,areas,effort,horizon,source\nx,X,S,trusst,huge,short,me\n"
SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}


def summary(page: str) -> list[tuple[str, str]]:
    box = page.split('id="settings-problems"')[1].split("</div>")[0]
    return [(t, html.unescape(x)) for t, x in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', box)]


def test_refused_settings_list_every_problem_at_the_top_linked_to_its_field(teacher: Taker) -> None:
    refused = teacher.post(
        "/app/assessment/settings",
        {
            **SETTINGS,
            "scoring.threshold_bands.strength_min": "3",
            "scoring.threshold_bands.borderline_min": "3.5",
            "discussion_minimum": "0",
            "catalogues": ["workshop", "uploaded"],
            "catalogue.uploaded.text": BROKEN,
            "catalogue.uploaded.format": "csv",
        },
    )
    assert refused.status_code == 400
    page = refused.text
    problems = summary(page)
    assert problems[0] == (
        "scoring-threshold_bands-borderline_min",
        "Strength, borderline, concern: Borderline from: Must be lower than “Strength from”.",
    )
    assert (
        "catalogue-uploaded-text",
        "Uploaded mechanisms: your file: Line 2, column 5 (“effort”): Must be one of: low, medium, high.",
    ) in problems
    assert any(t == "catalogue-uploaded-text" and "unknown area “trusst”" in m for t, m in problems)
    assert problems[-1] == (
        "discussion-minimum",
        "Learners who must have submitted before the discussion view shows anything: "
        "Enter a whole number of learners from 1 to 100.",
    )
    assert page.index('id="settings-problems"') < page.index('id="settings-form"')  # at the top
    for target, _ in problems:  # every link leads to a field, which says it is invalid
        assert re.search(rf'id="{target}"[^>]*aria-invalid="true"', page), target
    assert "strength_min" not in html.unescape(page.split('id="settings-problems"')[1].split("</div>")[0])


def test_fields_say_what_they_take_and_areas_are_named(teacher: Taker) -> None:
    page = html.unescape(teacher.get("/app/assessment/settings").text)
    assert "A number from 1 to 5." in page  # the cut-offs, from the schema's Range
    assert '<th scope="row"><code>areas</code></th><td>yes</td>' in page
    assert "low, medium, high" in page and "short, medium, long" in page
    assert "Empathy and trust: <code>trust</code>" in page  # areas by name and id
    assert "dimension" not in re.sub(r"<[^>]+>", "", page).lower()  # the learners' word: area


def test_example_catalogues_download_and_are_accepted_unchanged(teacher: Taker) -> None:
    page = teacher.get("/app/assessment/settings").text
    for fmt in ("csv", "yaml"):
        link = html.unescape(re.search(rf'id="example-{fmt}" href="([^"]+)"', page).group(1))
        example = teacher.client.get(link)
        assert example.status_code == 200
        assert f'filename="example-catalogue.{fmt}"' in example.headers["Content-Disposition"]
        saved = teacher.post(
            "/app/assessment/settings",
            {
                **SETTINGS,
                "catalogues": ["workshop", "uploaded"],
                "catalogue.uploaded.text": example.get_data(as_text=True),
                "catalogue.uploaded.format": fmt,
            },
            allow_redirects=False,
        )
        assert saved.status_code == 303, summary(saved.text)
        shown = html.unescape(teacher.client.get(saved.headers["Location"]).text)
        assert "Settings saved." in shown, shown[shown.find("<main") :][:1500]
        assert re.search(
            r"“Workshop mechanisms” \(\d+ mechanisms\) and “Uploaded mechanisms” \(3 mechanisms\)", shown
        ), shown[shown.find("settings-saved") :][:900]
    assert (
        teacher.client.get(link.replace("example-catalogue.yaml", "example-catalogue.xlsx")).status_code
        == 404
    )


def test_only_the_chosen_models_fields_are_shown_without_javascript(teacher: Taker) -> None:
    page = teacher.get("/app/assessment/settings").text
    css = teacher.client.get("/static/assessment.css").text
    # Pure CSS (no script): a plugin's fields sit in .plugin-fields next to its unticked choice.
    assert ".plugin:has(> label > input:not(:checked)) > .plugin-fields { display: none; }" in css
    block = page.split('id="scoring-model-importance_gap"')[1].split('class="plugin"')[0]
    assert 'class="plugin-fields"' in block and "scoring-importance_gap-performance_cut" in block


def test_a_discussion_minimum_of_one_is_said_in_the_singular(teacher: Taker) -> None:
    """The minimum may be 1: the note then waits for "1 learner", not "1 learners"."""
    saved = teacher.post("/app/assessment/settings", {**SETTINGS, "discussion_minimum": "1"})
    assert saved.status_code in (200, 303), saved.text[:300]
    hidden = " ".join(teacher.get("/app/assessment/class/discussion").text.split())
    assert "This view opens once 1 learner has submitted" in hidden, hidden[:2000]


def saved_notice(taker: Taker, data: dict[str, object]) -> str:
    """The "Settings saved" notice the class view shows after saving ``data``, as read (spaces
    collapsed, the no-break spaces of French kept)."""
    saved = taker.post("/app/assessment/settings", data, allow_redirects=False)
    assert saved.status_code == 303, summary(saved.text)
    page = taker.client.get(saved.headers["Location"]).text
    box = page.split('id="settings-saved"')[1].split("</div>")[0]
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", box))).strip()


def test_the_saved_notice_says_every_setting_the_form_saved(teacher: Taker) -> None:
    """A teacher who changed only the retakes, the instructions, the discussion's minimum, the
    groups or the passback saw a notice about the model, catalogues and grading only."""
    notice = saved_notice(
        teacher,
        {
            **SETTINGS,
            "retakes": "on",
            "instructions": "Bring one partnership you know well.",
            "discussion_minimum": "1",
            "partnership_groups": "off",
            "passback": "auto",
        },
    )
    for said in (
        "Settings saved.",
        "Grade: full marks on submission.",
        "Grade passback: Automatic.",
        "Learners may take it again.",
        "Learners see your instructions with the assignment.",
        "The discussion view opens once 1 learner has submitted.",
        "No partnership groups.",
    ):
        assert said in notice, (said, notice)
    notice = saved_notice(
        teacher,
        {**SETTINGS, "discussion_minimum": "3", "partnership_groups": "on", "group_minimum": "2"},
    )
    for said in (
        "Grade passback: the tool's default (now: Automatic).",
        "Learners take it once.",
        "No instructions for learners.",
        "The discussion view opens once 3 learners have submitted.",
        "Learners may form partnership groups. A group's joint report opens once 2 members have submitted.",
    ):
        assert said in notice, (said, notice)
    assert "Learners may take it again." not in notice and "No partnership groups." not in notice


def test_the_saved_notice_says_them_in_french(launch_as: Any) -> None:
    french = {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-CA"}}
    teacher = Taker(launch_as("instructor", sub=INSTRUCTOR, item=ITEM, extra=french))
    notice = saved_notice(teacher, {**SETTINGS, "retakes": "on", "discussion_minimum": "4"})
    for said in (
        "Paramètres enregistrés.",
        "Les personnes apprenantes peuvent la refaire.",
        "Aucune consigne pour les personnes apprenantes.",
        "La vue de discussion s'ouvre dès que 4 personnes apprenantes ont soumis leur autoévaluation.",
        "Transmission des notes\u00a0: la valeur par défaut de l'outil (pour l'instant\u00a0: Automatique).",
    ):
        assert said in notice, (said, notice)


def test_the_class_view_says_the_settings_in_the_settings_words(teacher: Taker) -> None:
    """The class view said "grading: on completion" and "retakes not allowed" where the settings
    and their saved notice say "Full marks on submission" and "Learners take it once"."""
    for extra, grade, attempts in (
        ({}, "grading: full marks on submission, out of", "learners take it once."),
        (
            {"grading": "model", "retakes": "on"},
            "grading: the scoring model's overall result, out of",
            "learners may take it again.",
        ),
    ):
        notice = saved_notice(teacher, {**SETTINGS, **extra})
        assert attempts.capitalize() in notice
        page = teacher.get("/app/assessment/").text
        line = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page.split("<h1>")[1])))
        line = line.split("Scoring model:")[1].split("Change the settings")[0]
        assert grade in line and attempts in line, line
        assert "on completion" not in line and "retakes" not in line, line
