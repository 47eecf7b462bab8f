"""Administrator CLI messages follow the administrator's locale (LC_ALL / LC_MESSAGES / LANG)."""

from __future__ import annotations

from flask import Flask

FRENCH = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "fr_CA.UTF-8"}
ENGLISH = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "en_CA.UTF-8"}


def run(app: Flask, env: dict[str, str | None], *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args), env=env)  # type: ignore[arg-type]
    return result.output


def test_a_french_administrator_reads_the_cli_in_french(app: Flask) -> None:
    assert run(app, FRENCH, "platform", "list").strip() == "Aucune plateforme inscrite."
    assert "Nouvelle clé de signature" in run(app, FRENCH, "keys", "rotate")
    assert "état(s) de connexion expiré(s) supprimé(s)" in run(app, FRENCH, "cleanup")
    assert "Erreur\u00a0: aucune plateforme '99'" in run(app, FRENCH, "platform", "show", "99")


def test_lc_all_wins_and_english_stays_english(app: Flask) -> None:
    assert run(app, ENGLISH, "platform", "list").strip() == "No platforms registered."
    assert "New signing key" in run(app, ENGLISH, "keys", "rotate")
    lc_all = {**ENGLISH, "LC_ALL": "fr_CA.UTF-8"}
    assert run(app, lc_all, "platform", "list").strip() == "Aucune plateforme inscrite."


def test_flask_check_speaks_french_to_a_french_administrator(app: Flask) -> None:
    french = run(app, FRENCH, "check").splitlines()
    english = run(app, ENGLISH, "check").splitlines()
    assert len(french) == len(english) and english[-1].endswith("(add --deploy for the production rules).")
    assert french[-1].endswith("(ajoutez --deploy pour les règles de production).")
    assert len(french) > 1 and all(" Correctif\u00a0: " in line for line in french[:-1])
