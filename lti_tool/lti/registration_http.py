"""Dynamic Registration's HTTP, behind a small Transport: the tool's outbound client in
production, the demo LMS in-process (docs/decisions/0006)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from lti_tool import outbound


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    content_type: str = ""

    def json(self) -> Any:
        return outbound.parse_json(self.body)


class Transport(Protocol):
    def get(self, url: str, headers: dict[str, str]) -> HttpAnswer: ...

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> HttpAnswer: ...


class OutboundTransport:
    """Real HTTP through the tool's outbound client: deadline, size cap, destination policy."""

    def __init__(self, client: outbound.OutboundClient) -> None:
        self.client = client

    def get(self, url: str, headers: dict[str, str]) -> HttpAnswer:
        answer = self.client.get(url, outbound.CONFIGURATION, headers=headers)
        return HttpAnswer(answer.status_code, answer.content, answer.headers.get("Content-Type", ""))

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> HttpAnswer:
        answer = self.client.post(url, outbound.REGISTRATION, json=body, headers=headers)
        return HttpAnswer(answer.status_code, answer.content, answer.headers.get("Content-Type", ""))
