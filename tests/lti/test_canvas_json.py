"""The developer-key JSON for Canvas administrators who paste JSON."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import Flask

from lti_tool.lti.registration import SCOPES

KNOWN_SCOPES = set(SCOPES) | {
    "https://canvas.instructure.com/lti/public_jwk/scope/update",
    "https://canvas.instructure.com/lti/account_lookup/scope/show",
}
CANVAS_PLACEMENTS = {
    "link_selection",
    "assignment_selection",
    "course_navigation",
    "editor_button",
    "homework_submission",
    "account_navigation",
}


def _urls(value: object) -> list[str]:
    if isinstance(value, dict):
        return [
            u
            for k, v in value.items()
            for u in ([v] if k.endswith(("_url", "_uri")) and isinstance(v, str) else _urls(v))
        ]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return []


def test_canvas_json_has_what_canvas_requires(app: Flask) -> None:
    base = app.config["BASE_URL"]
    response = requests.get(base + "/lti/canvas.json", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    key = response.json()
    for field in (
        "title",
        "description",
        "oidc_initiation_url",
        "target_link_uri",
        "scopes",
        "extensions",
        "public_jwk_url",
    ):
        assert key.get(field), field
    assert key["oidc_initiation_url"] == base + "/lti/login"
    assert key["target_link_uri"] == base + "/lti/launch"
    assert key["public_jwk_url"] == base + "/lti/jwks"
    assert set(key["scopes"]) <= KNOWN_SCOPES and len(key["scopes"]) == 5
    urls = _urls(key)
    assert len(urls) >= 6
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in {"http", "https"} and parts.netloc, url
    (ext,) = key["extensions"]
    assert ext["platform"] == "canvas.instructure.com"
    assert ext["privacy_level"] in {"public", "name_only", "email_only", "anonymous"}
    assert ext["domain"] == urlsplit(base).hostname
    placements = {p["placement"]: p for p in ext["settings"]["placements"]}
    assert set(placements) <= CANVAS_PLACEMENTS
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["assignment_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    assert all(p["text"] and p["target_link_uri"] == base + "/lti/launch" for p in placements.values())
    assert requests.get(base + "/lti/jwks", timeout=5).json()["keys"]


def test_canvas_json_labels_each_placement_in_both_languages(app: Flask) -> None:
    """Canvas shows placement `labels[locale]` (then the language, then `text`) and the settings'
    `labels` as the tool's default label (app/models/context_external_tool.rb #label_for)."""
    key = requests.get(app.config["BASE_URL"] + "/lti/canvas.json", timeout=5).json()
    (ext,) = key["extensions"]
    assert ext["settings"]["labels"] == {"en": "P3 Workshop", "fr": "Atelier PPP"}
    for placement in ext["settings"]["placements"]:
        assert placement["labels"] == {"en": "P3 Workshop", "fr": "Atelier PPP"}, placement["placement"]
        assert placement["text"] == placement["labels"]["en"]
    # title and description are single strings in Canvas: the English ones
    assert key["title"] == "P3 Workshop"
    assert key["description"].startswith("The P3 workshop")
