"""The administrator area answers in the browser's language (Accept-Language: outside a launch);
English stays as it was (tests/test_admin.py asserts the English texts)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask

from tests.support.admin_password import cheap_hash
from tests.test_admin import PASSWORD, Admin


@pytest.fixture
def admin_app(make_app: Any) -> Flask:
    return make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD))


def text(page: Any) -> str:
    return html.unescape(page.text)


def french_admin(app: Flask) -> Admin:
    admin = Admin(app)
    admin.browser.headers["Accept-Language"] = "fr-CA,fr;q=0.9,en;q=0.5"
    return admin


def test_a_french_administrator_signs_in_and_works_in_french(admin_app: Flask) -> None:
    admin = french_admin(admin_app)
    login = admin.browser.get(admin.base + "/admin/login", timeout=5)
    assert '<html lang="fr-CA">' in text(login) and "Connexion à l'administration" in text(login)
    wrong = admin.login("not the password")
    assert wrong.status_code == 401 and "Ce mot de passe n'est pas le bon." in text(wrong)
    assert admin.login().status_code == 200
    page = admin.get("/admin/")
    assert "Plateformes et déploiements" in text(page) and "Platforms and deployments" not in text(page)
    created = admin.post("/admin/links", label="Moodle de l'université")
    assert "Nouveau lien d'inscription à usage unique" in text(created) and "utilisable" in text(created)
    revoked = admin.post("/admin/links/1/revoke")
    assert "Lien d'inscription nº 1 révoqué." in text(revoked)
    missing = admin.get("/admin/platforms/99/edit")
    assert missing.status_code == 404 and "Cette plateforme n'existe pas." in text(missing)
    assert "Retour à l'administration" in text(missing)


def test_the_same_pages_stay_english_for_an_english_browser(admin_app: Flask) -> None:
    admin = Admin(admin_app)
    admin.browser.headers["Accept-Language"] = "en-CA"
    assert admin.login().status_code == 200
    page = admin.get("/admin/")
    assert '<html lang="en">' in text(page) and "Platforms and deployments" in text(page)
    admin.post("/admin/links", label="University Moodle")
    assert "Registration link #1 revoked." in text(admin.post("/admin/links/1/revoke"))


def test_a_closed_administrator_area_says_so_in_french(app: Flask) -> None:
    admin = french_admin(app)
    page = admin.browser.get(admin.base + "/admin/login", timeout=5)
    assert page.status_code == 403
    assert "L'espace d'administration est fermé" in text(page)
    refused = admin.browser.get(admin.base + "/admin/", timeout=5, headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("L'espace d'administration est fermé")
