"""Helpers for the workshop pages over real HTTP (a launch token from the demo LMS)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import requests

from tests.support.forms import forms

W = "/app/w/p3-art-of-the-possible"
SESSION_1 = W + "/sessions/session-1"


def page_url(page: requests.Response) -> str:
    """A tool page's own address: the one it names (data-page-url) when it is the launch POST's
    answer (decision 0026), else the one it was fetched at."""
    found = page.text.partition(' data-page-url="')[2].partition('"')[0]
    return urljoin(page.url, found.replace("&amp;", "&")) if found else page.url


def page_path(page: requests.Response) -> str:
    return urlsplit(page_url(page)).path


def get(base_url: str, path: str, token: str, **params: str) -> requests.Response:
    return requests.get(base_url + path, params={"lt": token, **params}, timeout=10)


def save_form(page: requests.Response, text: str) -> requests.Response:
    form = next(f for f in forms(page.text, page.url) if f.id == "reflection-form")
    return requests.post(
        form.action, data={**form.fields, "reflection": text}, timeout=10, allow_redirects=False
    )
