"""Fixtures for the security tests: platforms whose key set is served by a scripted server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.lti.conftest import Flow, flow, platform, registered  # noqa: F401  (fixtures)
from tests.support.independent_platform import IndependentPlatform
from tests.support.platform_admin import add_to_tool
from tests.support.scripted_server import Reply, ScriptedServer


def register(app: Flask, lms: IndependentPlatform, **overrides: Any) -> None:
    """Register a platform as an administrator would (overrides: e.g. key_set_url)."""
    add_to_tool(app, lms.registration(), **overrides)


def jwks_reply(lms: IndependentPlatform, **headers: str) -> Reply:
    return Reply(200, json.dumps(lms.jwks()).encode(), {"Content-Type": "application/json", **headers})


@pytest.fixture
def platforms() -> Iterator[Callable[..., IndependentPlatform]]:
    made: list[IndependentPlatform] = []

    def make(client_id: str = "independent-client") -> IndependentPlatform:
        made.append(IndependentPlatform(client_id=client_id))
        return made[-1]

    yield make
    for lms in made:
        lms.stop()


@pytest.fixture
def servers() -> Iterator[Callable[[Callable[[str, str, bytes], Reply]], ScriptedServer]]:
    made: list[ScriptedServer] = []

    def make(answer: Callable[[str, str, bytes], Reply]) -> ScriptedServer:
        made.append(ScriptedServer(answer))
        return made[-1]

    yield make
    for server in made:
        server.stop()


def flow_for(app: Flask, lms: IndependentPlatform) -> Flow:
    return Flow(app.config["BASE_URL"], lms)
