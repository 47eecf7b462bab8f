"""The never-500 sweep, over what a platform's key set URL can answer: whatever it is, a launch
gets a 4xx naming the problem, or a 502 saying the key set could not be fetched."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.security.conftest import flow_for, register
from tests.security.test_launch_checks import bad_keys
from tests.support.independent_platform import IndependentPlatform
from tests.support.scripted_server import Reply, ScriptedServer


def answers(platform: IndependentPlatform) -> dict[str, Reply]:
    good = platform.jwks()["keys"][0]
    json_type = {"Content-Type": "application/json"}
    cases = {
        "not_json": Reply(200, b"{nope", json_type),
        "html": Reply(200, b"<html>Sign in</html>", {"Content-Type": "text/html"}),
        "empty": Reply(200, b"", json_type),
        "a_list": Reply(200, b"[]", json_type),
        "keys_not_a_list": Reply(200, b'{"keys": "x"}', json_type),
        "keys_of_junk": Reply(200, b'{"keys": [1, null, "x", []]}', json_type),
        "kid_not_a_string": Reply(200, json.dumps({"keys": [{**good, "kid": 7}]}).encode(), json_type),
        "no_matching_kid": Reply(200, json.dumps({"keys": [{**good, "kid": "other"}]}).encode(), json_type),
        "server_error": Reply(500, b"oops", json_type),
        "not_found": Reply(404, b"", json_type),
        "redirect_loop": Reply(302, b"", {"Location": "/jwks"}),
        "too_large": Reply(200, b'{"keys": [], "x": "' + b"x" * 1_200_000 + b'"}', json_type),
        "deeply_nested": Reply(200, b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", json_type),
        "gzip_bomb_declared": Reply(200, b"\x1f\x8b\x08\x00", {**json_type, "Content-Encoding": "gzip"}),
        "unknown_encoding": Reply(200, b"{}", {**json_type, "Content-Encoding": "br"}),
    }
    for name, key in bad_keys(platform.kid, good).items():
        cases["key_" + name] = Reply(200, json.dumps({"keys": [key]}).encode(), json_type)
    return cases


def case_names() -> list[str]:
    platform = IndependentPlatform()
    try:
        return sorted(answers(platform))
    finally:
        platform.stop()


@pytest.mark.parametrize("case", case_names())
def test_no_key_set_makes_a_launch_answer_500(
    case: str,
    make_app: Any,
    platforms: Callable[..., IndependentPlatform],
    servers: Callable[..., ScriptedServer],
) -> None:
    app = make_app()
    platform = platforms()
    reply = answers(platform)[case]
    server = servers(lambda m, p, b: reply)
    register(app, platform, key_set_url=server.url + "/jwks")
    flow = flow_for(app, platform)
    state, nonce = flow.login()
    answer = flow.launch(flow.good_token(nonce), state)
    if answer.status_code == 502:
        assert "keyset_unavailable" in answer.text
    else:
        assert 400 <= answer.status_code < 500, (case, answer.status_code, answer.text[:300])
