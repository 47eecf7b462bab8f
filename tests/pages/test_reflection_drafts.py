"""What a session page gives reflection.js to keep unsaved text in the browser (decision 0053):
a key that is the same at each launch of one person on one page, differs for anyone or any page
else, and names neither; and the words it says, in the page's language."""

from __future__ import annotations

import re
from typing import Any

from lti_tool.security import keyed_digest

SESSION = "/app/w/p3-art-of-the-possible/sessions/session-{}"


def draft_key(who: Any, session: int = 1) -> str:
    page = who.get(SESSION.format(session)).get_data(as_text=True)
    found = re.search(r'<form id="reflection-form"[^>]* data-draft-key="([0-9a-f]+)"', page)
    assert found, "no draft key on the reflection form"
    return found.group(1)


def test_the_draft_key_is_one_person_s_on_one_page_and_names_neither(launch_as: Any) -> None:
    ben = draft_key(launch_as("learner", sub="ben-tremblay"))
    assert len(ben) == 32
    assert draft_key(launch_as("learner", sub="ben-tremblay")) == ben  # a new launch: the same
    assert draft_key(launch_as("learner", sub="chloe-singh")) != ben  # another person
    assert draft_key(launch_as("learner", sub="ben-tremblay"), session=2) != ben  # another page
    assert draft_key(launch_as("learner", sub="ben-tremblay", context="course-2")) != ben
    assert "ben" not in ben and "session" not in ben


def test_keyed_digest_keeps_its_parts_apart_and_needs_the_secret() -> None:
    assert keyed_digest("k", "p", "a", "b:c") != keyed_digest("k", "p", "a:b", "c")
    assert keyed_digest("k", "p", "a") != keyed_digest("other", "p", "a")
    assert keyed_digest("k", "p", "a") != keyed_digest("k", "q", "a")
    assert keyed_digest("k", "p", 1) == keyed_digest("k", "p", "1")


def test_the_draft_words_are_in_the_page_s_language(launch_as: Any) -> None:
    english = launch_as("learner", sub="ben").get(SESSION.format(1)).get_data(as_text=True)
    assert 'data-restored="Your text from last time, which was not saved, is back in the box.' in english
    assert 'data-ended-kept="Not saved: {message} This browser keeps your text' in english
    french = launch_as("learner", sub="ben", locale="fr-CA").get(SESSION.format(1)).get_data(as_text=True)
    restored = "data-restored=\"Votre texte de la dernière fois, qui n'était pas enregistré, est de retour"
    assert restored in french
    assert "est de retour dans la zone et maintenant enregistré." in french
    assert 'data-ended-kept="Non enregistrée\u00a0: {message} Ce navigateur garde votre texte' in french
