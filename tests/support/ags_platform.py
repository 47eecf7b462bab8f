"""A platform with LTI Advantage services over real HTTP, independent of the tool's code:
an OAuth2 token endpoint that checks the tool's client assertion against the tool's JWKS,
AGS line items and scores (Moodle-style URLs with ?type_id=), NRPS memberships, and switches
for a slow or absent server (``delay``, ``down()`` / ``up()`` on the same port) and for
scripted error answers (``answers``: a list of (status, headers, body) used before normal
service). Counts token requests and every request by path (``hits``, ``/stats`` aside), and
records every score it accepts. ``revoke_tokens()`` makes every access token granted so far stop
working (the next one granted works); ``after_score`` is called once a score is recorded, before
the answer is sent (a worker killed right there).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from tests.support.independent_platform import IndependentPlatform
from tests.support.serving import serve_in_thread, stop_serving

TYPE_ID = "7"
SCORE_PATH = re.compile(r"^/lineitems/(\d+)/lineitem/scores$")
LINE_ITEM_PATH = re.compile(r"^/lineitems/(\d+)/lineitem$")


def verify_with_tool_key(token: str, tool_jwks_url: str, audience: str) -> dict[str, Any]:
    """Check a JWT the tool signed, as a platform does: the tool's JWKS over HTTP, by kid."""
    keys = jwt.PyJWKSet.from_dict(requests.get(tool_jwks_url, timeout=5).json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience)


def check_client_assertion(form: dict[str, str], tool_jwks_url: str, token_url: str, client_id: str) -> None:
    """An OAuth2 client_credentials request with the tool's signed assertion; raises if bad."""
    claims = verify_with_tool_key(form["client_assertion"], tool_jwks_url, token_url)
    assert claims["iss"] == claims["sub"] == client_id
    assert form["grant_type"] == "client_credentials"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops connections when many arrive at once


class AgsPlatform(IndependentPlatform):
    def __init__(self, **kwargs: Any) -> None:
        self.lock = threading.Lock()
        self.token_requests = 0
        self.roster_requests = 0
        self.line_item_reads = 0
        self.hits: Counter[str] = Counter()  # every request, by path
        self.scores: list[dict[str, Any]] = []
        self.line_items: dict[int, dict[str, Any]] = {}
        self.line_items_made = 0  # a deleted line item's id is never given again
        self.answers: list[tuple[int, dict[str, str], str]] = []
        self.delay = 0.0
        self.token_lifetime = 3600  # expires_in of the access tokens it grants
        self.gate = threading.Event()  # cleared: score requests wait until it is set again
        self.gate.set()
        self.line_item_gate = threading.Event()  # cleared: line item reads wait (counted first)
        self.line_item_gate.set()
        self.tool_jwks_url = ""
        self.token_generation = 1  # tokens granted are "token-<generation>"
        self.after_score: Any = None  # called with the score once recorded, before answering
        self.members = [
            {"user_id": f"u{n}", "name": f"Learner {n}", "roles": ["Learner"], "status": "Active"}
            for n in range(3)
        ]
        super().__init__(**kwargs)
        self.port = self._server.server_port
        self.down()  # serve from a server with a longer listen queue, on the same port
        self.up()

    # --- switches ---------------------------------------------------------------------

    def down(self) -> None:
        """Close the listening socket: connections are refused until up()."""
        stop_serving(self._server)

    def up(self) -> None:
        self._server = _Server(("127.0.0.1", self.port), self._handler())
        serve_in_thread(self._server)

    def add_line_item(self, resource_link_id: str = "rl-1", maximum: float = 10) -> str:
        with self.lock:
            self.line_items_made += 1
            item_id = self.line_items_made
            self.line_items[item_id] = {
                "label": "Activity",
                "scoreMaximum": maximum,
                "resourceLinkId": resource_link_id,
            }
        return self.line_item_url(item_id)

    def line_item_url(self, item_id: int) -> str:
        return f"{self.url}/lineitems/{item_id}/lineitem?type_id={TYPE_ID}"

    def ags_claim(self, line_item: str | None) -> dict[str, Any]:
        claim: dict[str, Any] = {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": f"{self.url}/lineitems?type_id={TYPE_ID}",
        }
        if line_item:
            claim["lineitem"] = line_item
        return claim

    def revoke_tokens(self) -> None:
        """Every access token granted so far is refused from now on (401)."""
        with self.lock:
            self.token_generation += 1

    def score_counts(self) -> Counter[tuple[str, float]]:
        with self.lock:
            return Counter((s["userId"], s["scoreGiven"]) for s in self.scores)

    # --- HTTP -------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real platforms do

            def _send(
                self,
                status: int,
                body: Any = None,
                headers: dict[str, str] | None = None,
                content_type: str = "application/json",
            ) -> None:
                data = (
                    (body if isinstance(body, str) else json.dumps(body)).encode()
                    if body is not None
                    else b""
                )
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def parse_request(self) -> bool:
                parsed = super().parse_request()
                path = urlsplit(self.path).path
                if parsed and path != "/stats":
                    with platform.lock:
                        platform.hits[path] += 1
                return parsed

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _scripted(self) -> bool:
                with platform.lock:
                    answer = platform.answers.pop(0) if platform.answers else None
                if answer is None:
                    return False
                self._send(answer[0], answer[2], answer[1])
                return True

            def _authorised(self) -> bool:
                if self.headers.get("Authorization", "") == f"Bearer token-{platform.token_generation}":
                    return True
                self._send(401, {"error": "invalid_token"})
                return False

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(platform.delay)
                parts = urlsplit(self.path)
                if parts.path == "/stats":  # for a platform run in its own process
                    with platform.lock:
                        self._send(
                            200, {"token_requests": platform.token_requests, "scores": platform.scores}
                        )
                    return
                if parts.path == "/jwks":
                    self._send(200, platform.jwks())
                    return
                if self._scripted() or not self._authorised():
                    return
                if parts.path == "/memberships":
                    with platform.lock:
                        platform.roster_requests += 1
                    self._send(200, {"id": platform.url + "/memberships", "members": platform.members})
                    return
                match = LINE_ITEM_PATH.match(parts.path)
                if match and int(match.group(1)) in platform.line_items:
                    with platform.lock:
                        platform.line_item_reads += 1
                    platform.line_item_gate.wait(30)
                    with platform.lock:
                        item = platform.line_items[int(match.group(1))]
                    self._send(200, {"id": platform.line_item_url(int(match.group(1))), **item})
                    return
                if parts.path == "/lineitems":
                    query = parse_qs(parts.query)
                    link = query.get("resource_link_id", [""])[0]
                    items = [
                        {"id": platform.line_item_url(i), **item}
                        for i, item in platform.line_items.items()
                        if not link or item["resourceLinkId"] == link
                    ]
                    self._send(200, items)
                    return
                self._send(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                time.sleep(platform.delay)
                parts = urlsplit(self.path)
                body = self._body()
                if parts.path == "/token":
                    self._token(body)
                    return
                if self._scripted() or not self._authorised():
                    return
                platform.gate.wait(30)
                if parse_qs(parts.query).get("type_id") != [TYPE_ID]:
                    self._send(400, {"error": "type_id missing"})
                    return
                match = SCORE_PATH.match(parts.path)
                if match and int(match.group(1)) in platform.line_items:
                    score = json.loads(body)
                    with platform.lock:
                        platform.scores.append(score)
                    if platform.after_score is not None:
                        platform.after_score(score)
                    self._send(204)
                    return
                if parts.path == "/lineitems":
                    item = json.loads(body)
                    url = platform.add_line_item(item.get("resourceLinkId", ""), item.get("scoreMaximum", 1))
                    self._send(201, {"id": url, **item})
                    return
                self._send(404, {"error": "not found"})

            def _token(self, body: bytes) -> None:
                with platform.lock:
                    platform.token_requests += 1
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                try:
                    check_client_assertion(
                        form, platform.tool_jwks_url, platform.url + "/token", platform.client_id
                    )
                except Exception as exc:  # noqa: BLE001 - any failure is a refusal
                    self._send(400, {"error": "invalid_client", "error_description": str(exc)})
                    return
                self._send(
                    200,
                    {
                        "access_token": f"token-{platform.token_generation}",
                        "token_type": "Bearer",
                        "expires_in": platform.token_lifetime,
                        "scope": form.get("scope", ""),
                    },
                )

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def main() -> None:
    """Serve a platform in its own process (benchmarks): prints its registration as JSON."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--tool-jwks-url", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    platform = AgsPlatform()
    platform.tool_jwks_url = args.tool_jwks_url
    platform.delay = args.delay
    print(
        json.dumps(
            {
                **platform.registration(),
                "url": platform.url,
                "line_item": platform.add_line_item(),
                "ags": platform.ags_claim(platform.line_item_url(1)),
            }
        ),
        flush=True,
    )
    sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
