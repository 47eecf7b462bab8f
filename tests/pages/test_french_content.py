"""A French launch (locale fr-CA) reads the workshop's content in French: the session page, the
instrument's statements and scales, the report (with the French of the attempt's own version)
and the class view; an English launch is unchanged (issue 15, French content)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import update

from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt
from tests.assessment_app.conftest import ITEM, Taker

W = "/app/w/p3-art-of-the-possible"


def text(page: Any) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)).split()))


def test_a_french_launch_reads_the_session_page_in_french(launch_as: Any) -> None:
    ana = launch_as("learner", sub="ana", locale="fr-CA")
    page = ana.get(f"{W}/sessions/session-6")
    assert page.status_code == 200
    words = text(page)
    assert "Une reddition de comptes au service de l'apprentissage" in words
    assert "Envers qui votre organisation est-elle redevable dans ses partenariats" in words
    assert "Chapitre de conclusion de l'ouvrage de référence." in words
    # Readings stay as published, marked as English and spoken as English.
    body = page.get_data(as_text=True)
    assert '<cite lang="en">' in body and "Accountability for Learning" in words
    assert "(en anglais)" in words
    # The "opens in a new tab" note inside that English title is French, and spoken so.
    notes = re.findall(r'<span class="external-note"[^>]*>', body)
    assert notes and set(notes) == {'<span class="external-note" lang="fr-CA">'}
    assert "To whom is your organization accountable" not in words

    ben = launch_as("learner", sub="ben", locale="en-CA")
    english = ben.get(f"{W}/sessions/session-6")
    words = text(english)
    assert "Accountability for Learning" in words and "To whom is your organization accountable" in words
    assert "(en anglais)" not in words and "(in English)" not in words
    assert '<cite lang="en">' not in english.get_data(as_text=True)
    assert 'class="external-note" lang' not in english.get_data(as_text=True)


def test_a_french_launch_takes_the_assessment_and_reads_the_report_in_french(launch_as: Any) -> None:
    ana = Taker(launch_as("learner", sub="ana", item=ITEM, locale="fr-CA"))
    begun = ana.begin()
    assert begun.status_code == 303
    take = ana.get("/app/assessment/take")
    words = text(take)
    assert "Les partenaires peuvent nommer le problème ou l'occasion commune qui les a réunis." in words
    assert "Besoin et raison d'être" in words
    assert "Pas du tout" in words and "Je ne sais pas / sans objet" in words and "Sans opinion" in words
    assert "The partners can name the shared problem" not in words
    ana.answer_all(rating=lambda sid: 2 if sid.startswith("structure") else 4)
    done = ana.post("/app/assessment/submit", allow_redirects=False)
    report = ana.get(done.headers["Location"].split("?")[0].replace("http://localhost", ""))
    assert report.status_code == 200
    words = text(report)
    assert "Structure et gouvernance" in words and "Empathie et confiance" in words
    assert "Comités de gouvernance par palier" in words  # the built-in catalogue, in French
    assert "Governance committee ladder" not in words and "Structure and governance" not in words
    # Each mechanism's effort and time scale in words, not their codes ("effort : medium").
    efforts = re.findall(r"effort : (\S+) · (\S+ terme) · source", words)
    assert efforts and {e for e, _ in efforts} <= {"faible", "moyen", "élevé"}
    assert {h for _, h in efforts} <= {"court terme", "moyen terme", "long terme"}


def test_an_old_attempt_reads_in_the_french_of_its_own_version(launch_as: Any, app: Flask) -> None:
    ana = Taker(launch_as("learner", sub="ana", item=ITEM, locale="fr-CA"))
    assert ana.begin().status_code == 303
    with app.app_context():
        db.session.execute(update(AssessmentAttempt).values(instrument_version=1))
        db.session.commit()
    csrf = ana.csrf()
    from lti_tool.assessment.instrument import get_instrument

    v1 = get_instrument(1, lang="en")
    for dim, statement in v1.statements():
        assert ana.answer(statement.id, "2" if dim.id == "trust" else "4", csrf).status_code == 200
    for dim in v1.dimensions:
        assert ana.answer("importance:" + dim.id, "3", csrf).status_code == 200
    done = ana.post("/app/assessment/submit", allow_redirects=False)
    words = text(ana.get(done.headers["Location"].split("?")[0].replace("http://localhost", "")))
    assert "Il ne fait pas de doute pour moi que les autres partenaires" in words  # version 1's own
    assert "Continuité et relève" in words  # version 1's area (version 2: Continuité et patience)
    assert "Légitimité et valeur publique" not in words


def test_a_french_teacher_reads_the_class_view_in_french(launch_as: Any) -> None:
    ana = Taker(launch_as("learner", sub="ana", item=ITEM, locale="fr-CA"))
    ana.answer_all()
    assert ana.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    teacher = launch_as("instructor", sub="teacher", item=ITEM, locale="fr-CA")
    words = text(teacher.get("/app/assessment/"))
    assert "Besoin et raison d'être" in words and "Légitimité et valeur publique" in words
    assert "Need and purpose" not in words
    english = launch_as("instructor", sub="teacher", item=ITEM, locale="en")
    assert "Need and purpose" in text(english.get("/app/assessment/"))


def test_the_items_a_teacher_places_are_titled_in_the_teachers_language(app: Flask) -> None:
    from lti_tool import i18n
    from lti_tool.items import registry

    with app.app_context():
        english = {i.item_id: i.title for i in registry(app).offered()}
        with i18n.use("fr-CA"):
            french = {i.item_id: i.title.replace("\u00a0", " ") for i in registry(app).offered()}
    assert english["p3-art-of-the-possible/session-2"] == "Session 2: The Art of Governance"
    assert french["p3-art-of-the-possible/session-2"] == "Séance 2 : L'art de la gouvernance"
    assert english[ITEM] == "Assignment: Partnership Self-Assessment"
    assert french[ITEM] == "Travail : Autoévaluation du partenariat"


def flat(page: Any) -> str:
    """The page's text with its tags dropped, not turned into spaces (text() would put one before
    the colon after </strong>), and its no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", page.get_data(as_text=True))))


def test_the_report_and_the_class_view_punctuate_the_french_way(launch_as: Any, app: Flask) -> None:
    """Whole phrases, colon and quotes included, go through the catalogue: French puts a no-break
    space before the colon and quotes with « » (no-break spaces inside; decision 0039); a day of
    the month has no leading zero."""
    nbsp = "\u00a0"
    for locale, colon, opening, closing, day in [
        (
            "fr-CA",
            "\u00a0: ",
            "«" + nbsp,
            nbsp + "»",
            ("soumise le 5 mars 2026", "soumise le 5 mars 2026"),
        ),
        ("en", ": ", "“", "”", ("submitted 5 March 2026", "submitted 5 Mar 2026")),
    ]:
        ana = Taker(launch_as("learner", sub="ana-" + locale, item=ITEM, locale=locale))
        ana.answer_all(rating=lambda sid: 1 if sid.startswith("trust") else 4)
        done = ana.post("/app/assessment/submit", allow_redirects=False)
        with app.app_context():
            db.session.execute(
                update(AssessmentAttempt).values(submitted_at=datetime(2026, 3, 5, 15, tzinfo=UTC))
            )
            db.session.commit()
        words = flat(ana.get(done.headers["Location"].split("?")[0].replace("http://localhost", "")))
        assert re.search(r"(Préoccupation|Concern) \(1\)" + colon + r"(Empathie|Empathy)", words)
        assert re.search(r"(Cotes faibles|Rated low)" + colon + re.escape(opening), words)
        # A low-rated statement no mechanism covers: "Area : « statement » (cote 1)".
        assert re.search(colon + re.escape(opening) + "[^«»“”]+" + closing + r" \((cote|rated) 1\)", words)
        if locale == "fr-CA":
            assert "“" not in words and "”" not in words
        assert day[0] in words  # "5", not "05"

        bob = Taker(launch_as("learner", sub="bob-" + locale, item=ITEM, locale=locale))
        bob.begin()
        teacher = launch_as("instructor", sub="t-" + locale, item=ITEM, locale=locale)
        view = flat(teacher.get("/app/assessment/"))
        assert re.search("Learner bob-" + locale + colon + "0 ", view)  # a draft's progress
        assert re.search(r"(Empathie et confiance|Empathy and trust)" + colon + "[0-9]+ ", view)
        assert day[1] in view
