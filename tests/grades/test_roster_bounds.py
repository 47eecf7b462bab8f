"""The course roster (NRPS) and the AGS line-item listing are read within bounds (security
review B, finding 1): one total deadline for every page and the retry together, at most
ROSTER_MAX_MEMBERS members and 8 MB kept, and a roster cache that does not grow past its bound.
Past a bound the roster is not shown, the page says why, and the rest of the page works."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.lti import nrps
from lti_tool.lti.ags import AgsTransport
from lti_tool.lti.errors import ServiceError
from lti_tool.models import Platform
from lti_tool.services.grades.tokens import service_client
from tests.conftest import TEST_OUTBOUND_ALLOWLIST
from tests.support.launch_as import launch
from tests.support.scripted_server import Reply, ScriptedServer

TOKEN = json.dumps({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}).encode()
JSON = {"Content-Type": "application/json"}


def _page(first: int, count: int) -> bytes:
    members = [
        {"user_id": f"u{first + i}", "name": f"P {first + i}", "roles": ["Learner"]} for i in range(count)
    ]
    return json.dumps({"members": members}).encode()


class Lms:
    """Roster pages /nrps/0, /nrps/1, ... (``pages`` of them, each ``per_page`` members, each
    after ``delay`` seconds); ``refuse_first``: the first page request gets a 401 after
    ``refuse_after`` seconds (an access token the LMS no longer accepts)."""

    def __init__(
        self,
        pages: int,
        per_page: int = 1,
        delay: float = 0.0,
        refuse_first: bool = False,
        refuse_after: float = 0.0,
    ) -> None:
        self.pages, self.per_page, self.delay = pages, per_page, delay
        self.refuse_first, self.refuse_after = refuse_first, refuse_after
        self.refused = threading.Event()
        self.server = ScriptedServer(self.answer)

    def answer(self, method: str, path: str, body: bytes) -> Reply:
        if path.startswith("/token"):
            return Reply(200, TOKEN, JSON)
        if self.refuse_first and not self.refused.is_set():
            self.refused.set()
            time.sleep(self.refuse_after)
            return Reply(401, b'{"error": "invalid_token"}', JSON)
        n = int(path.split("?")[0].rsplit("/", 1)[1])
        time.sleep(self.delay)
        headers = dict(JSON)
        if n + 1 < self.pages:
            headers["Link"] = f'<{self.server.url}/nrps/{n + 1}>; rel="next"'
        return Reply(200, _page(n * self.per_page, self.per_page), headers)

    def pages_asked(self) -> list[str]:
        return [p for _m, p in self.server.requests if p.startswith("/nrps/")]


@pytest.fixture
def lms_of() -> Any:
    made: list[Lms] = []

    def make(*args: Any, **kwargs: Any) -> Lms:
        made.append(Lms(*args, **kwargs))
        return made[-1]

    yield make
    for lms in made:
        lms.server.stop()


def _cached(app: Any) -> int:
    return len(app.extensions["lti_tool.roster_cache"]._rosters)


def _teacher(app: Any, lms: Lms, nrps_path: str = "/nrps/0", sub: str = "t1") -> Any:
    teacher = launch(
        app,
        "instructor",
        sub=sub,
        extra={C.NRPS: {"context_memberships_url": lms.server.url + nrps_path, "service_versions": ["2.0"]}},
    )
    with app.app_context():
        db.session.execute(update(Platform).values(auth_token_url=lms.server.url + "/token"))
        db.session.commit()
    return teacher


def test_a_slow_roster_is_abandoned_at_one_total_deadline(make_tool_app: Any, lms_of: Any) -> None:
    # HTTP_TIMEOUT 0.5 s: the whole roster has 2 x 0.5 s; each page takes 0.2 s of 25.
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST, HTTP_TIMEOUT=0.5)
    lms = lms_of(pages=25, delay=0.2)
    book = _teacher(app, lms).get("/app/grades/")
    assert book.status_code == 200
    text = book.get_data(as_text=True)
    assert "The course roster is not shown: the LMS did not send all of it within 1 seconds." in text
    assert "P 0" not in text  # not a partial roster
    assert 1 <= len(lms.pages_asked()) < 25  # about 5; the rest were never asked for
    assert _cached(app) == 0


def test_the_retry_after_a_refused_token_shares_the_deadline(make_tool_app: Any, lms_of: Any) -> None:
    # HTTP_TIMEOUT 1 s, so 2 s in all. The first page is refused (401) after 0.9 s: the retry
    # has the 1.1 s left, time to start at most 4 pages of 0.3 s (a deadline of its own: 7).
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST, HTTP_TIMEOUT=1)
    lms = lms_of(pages=25, delay=0.3, refuse_first=True, refuse_after=0.9)
    text = _teacher(app, lms).get("/app/grades/").get_data(as_text=True)
    assert "did not send all of it within 2 seconds" in text
    assert 2 <= len(lms.pages_asked()) <= 1 + 4


def test_members_beyond_the_cap_are_not_kept(make_tool_app: Any, lms_of: Any) -> None:
    # ROSTER_MAX_MEMBERS is 10,000: three pages of 4,000 pass it on the third.
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST)
    lms = lms_of(pages=4, per_page=4_000)
    book = _teacher(app, lms).get("/app/grades/")
    assert book.status_code == 200
    text = book.get_data(as_text=True)
    assert "the course has more than 10,000 members, more than the tool reads." in text
    assert "P 0<" not in text and "P 9999<" not in text
    assert lms.pages_asked() == ["/nrps/0?limit=1000", "/nrps/1", "/nrps/2"]  # the fourth never asked for
    assert _cached(app) == 0


def test_the_roster_limit_is_said_in_french(make_tool_app: Any, lms_of: Any) -> None:
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST, ROSTER_MAX_MEMBERS=3)
    lms = lms_of(pages=2, per_page=2)
    teacher = launch(
        app,
        "instructor",
        sub="t1",
        extra={C.NRPS: {"context_memberships_url": lms.server.url + "/nrps/0", "service_versions": ["2.0"]}},
        locale="fr-CA",
    )
    with app.app_context():
        db.session.execute(update(Platform).values(auth_token_url=lms.server.url + "/token"))
        db.session.commit()
    text = teacher.get("/app/grades/").get_data(as_text=True)
    assert (
        "La liste du cours n’est pas affichée" in text or "La liste du cours n&#39;est pas affichée" in text
    )
    assert "plus de 3 membres" in text


def test_a_roster_is_read_whole_or_not_at_all(make_tool_app: Any, lms_of: Any) -> None:
    from lti_tool.lti.errors import ServiceLimit

    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST)
    lms = lms_of(pages=3, per_page=100)
    _teacher(app, lms)
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        client = service_client(platform).paged()
        url = lms.server.url + "/nrps/0"
        assert len(nrps.members(client, url, max_members=300)) == 300
        with pytest.raises(ServiceLimit) as members:
            nrps.members(client, url, max_members=299)
        assert members.value.limit == "members"
        with pytest.raises(ServiceLimit) as size:  # 8 MB in all by default; here 2 pages' worth
            nrps.members(client, url, max_members=300, max_bytes=2 * len(_page(0, 100)) + 100)
        assert size.value.limit == "bytes"


def test_the_roster_cache_does_not_grow_past_its_bound(make_tool_app: Any, lms_of: Any) -> None:
    # A platform naming a new memberships URL in each launch: 20 URLs, at most 16 entries kept.
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST)
    lms = lms_of(pages=1, per_page=2)
    for k in range(20):
        teacher = _teacher(app, lms, nrps_path=f"/nrps/0?k={k}", sub=f"t{k}")
        assert "P 1" in teacher.get("/app/grades/").get_data(as_text=True)
    assert _cached(app) == 16


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _members(n: int) -> list[nrps.Member]:
    return [nrps.Member(f"u{i}", "", "", ("Learner",), "Active") for i in range(n)]


def test_the_cache_drops_expired_entries_and_bounds_each_platform_and_all() -> None:
    from lti_tool.services.grades.roster import RosterCache

    clock = Clock()
    cache = RosterCache(120, per_platform=3, per_platform_members=100, max_members=250, clock=clock)
    cache.put((1, "a"), _members(10))
    clock.now += 121
    assert cache.get((1, "a")) is None and len(cache) == 0  # expired: dropped on reading
    cache.put((1, "a"), _members(10))
    clock.now += 121
    cache.put((2, "b"), _members(10))
    assert len(cache) == 1  # the expired one went when another came
    for k in range(5):  # platform 1 names five URLs: keeps its newest three
        cache.put((1, f"url{k}"), _members(10))
    assert len(cache) == 4 and cache.get((2, "b")) is not None
    assert cache.get((1, "url0")) is None and cache.get((1, "url4")) is not None
    cache.put((1, "big"), _members(95))  # a platform's members: at most 100
    assert cache.members_kept() == 95 + 10 and cache.get((2, "b")) is not None
    for p in range(3, 6):  # all platforms: at most 250 members, the oldest going first
        cache.put((p, "x"), _members(90))
    assert cache.members_kept() <= 250
    assert cache.get((5, "x")) is not None and cache.get((2, "b")) is None


def test_the_line_item_listing_ends_at_one_total_deadline(make_tool_app: Any) -> None:
    # Line items 30 pages long, none of them the activity's, each page after 0.2 s.
    app = make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST, HTTP_TIMEOUT=0.5)
    asked: list[str] = []

    def answer(method: str, path: str, body: bytes) -> Reply:
        if path.startswith("/token"):
            return Reply(200, TOKEN, JSON)
        n = int(path.split("?")[0].rsplit("/", 1)[1])
        asked.append(path)
        time.sleep(0.2)
        headers = {
            "Content-Type": "application/json",
            "Link": f'<{server.url}/lineitems/{n + 1}>; rel="next"',
        }
        items = [{"id": f"{server.url}/li/{n}", "resourceLinkId": "another", "scoreMaximum": 10}]
        return Reply(200, json.dumps(items).encode(), headers if n + 1 < 30 else JSON)

    server = ScriptedServer(answer)
    try:
        with app.app_context():
            _teacher_platform(app, server.url)
            platform = db.session.scalars(select(Platform)).one()
            ags = AgsTransport(
                service_client(platform), ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]
            )
            with pytest.raises(ServiceError) as late:  # before: None after 30 pages x 0.2 s
                ags.find_line_item(server.url + "/lineitems/0", resource_link_id="rl", resource_id="", tag="")
        assert getattr(late.value, "limit", None) == "deadline"
        assert late.value.kind == "retry"  # the delivery tries again later
        assert 1 <= len(asked) < 30
    finally:
        server.stop()


def _teacher_platform(app: Any, url: str) -> None:
    launch(app, "instructor", sub="t1")
    db.session.execute(update(Platform).values(auth_token_url=url + "/token"))
    db.session.commit()
