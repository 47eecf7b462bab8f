"""A state is single use even when the same launch is posted several times at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.lti.conftest import Flow


@pytest.mark.both_dbs
def test_concurrent_replays_launch_exactly_once(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce)

    def post(_: int) -> int:
        return flow.launch(token, state, browser=requests.Session()).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(6)))
    assert statuses.count(303) == 1, statuses
    assert all(s == 403 for s in statuses if s != 303), statuses
