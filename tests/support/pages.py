"""Helpers for the workshop pages over real HTTP (a launch token from the demo LMS)."""

from __future__ import annotations

import requests

from tests.support.forms import forms

W = "/app/w/p3-art-of-the-possible"
SESSION_1 = W + "/sessions/session-1"


def get(base_url: str, path: str, token: str, **params: str) -> requests.Response:
    return requests.get(base_url + path, params={"lt": token, **params}, timeout=10)


def save_form(page: requests.Response, text: str) -> requests.Response:
    form = next(f for f in forms(page.text, page.url) if f.id == "reflection-form")
    return requests.post(
        form.action, data={**form.fields, "reflection": text}, timeout=10, allow_redirects=False
    )
