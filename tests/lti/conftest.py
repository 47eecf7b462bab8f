from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask

from tests.support.independent_platform import IndependentPlatform


@pytest.fixture
def platform() -> Iterator[IndependentPlatform]:
    test_platform = IndependentPlatform()
    yield test_platform
    test_platform.stop()


@pytest.fixture
def registered(platform: IndependentPlatform, app: Flask) -> IndependentPlatform:
    """The independent platform, registered through the CLI as an administrator would."""
    platform.register_by_cli(app)
    return platform


class Flow:
    """One browser going through login then launch against the tool."""

    def __init__(self, base_url: str, platform: IndependentPlatform) -> None:
        self.base_url = base_url
        self.platform = platform
        self.browser = requests.Session()
        self.target = base_url + "/lti/launch"

    def login(self, **params: str) -> tuple[str, str]:
        data = {
            "iss": self.platform.issuer,
            "login_hint": "learner-7",
            "target_link_uri": self.target,
            "client_id": self.platform.client_id,
            "lti_deployment_id": self.platform.deployment_id,
            **params,
        }
        response = self.browser.post(
            self.base_url + "/lti/login", data=data, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return query["state"][0], query["nonce"][0]

    def launch(
        self,
        id_token: str | None,
        state: str | None,
        headers: dict[str, str] | None = None,
        browser: requests.Session | None = None,
    ) -> requests.Response:
        data = {k: v for k, v in {"id_token": id_token, "state": state}.items() if v is not None}
        return (browser or self.browser).post(
            self.target, data=data, headers=headers or {}, allow_redirects=False, timeout=10
        )

    def good_token(self, nonce: str, **overrides: Any) -> str:
        return self.platform.sign(self.platform.claims(nonce, self.target, **overrides))


@pytest.fixture
def flow(app: Flask, registered: IndependentPlatform) -> Flow:
    return Flow(app.config["BASE_URL"], registered)
