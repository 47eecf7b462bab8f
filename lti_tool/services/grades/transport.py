"""The GradeTransport handed to passback plugins: AGS calls, with the protocol layer's
``ServiceError`` translated into the plugin API's ``TransportError``.

Deliveries read the line item before each score (its points are the scale); a wave of grades for
one activity reads it once per ``LINE_ITEM_READ_SECONDS`` (``LineItemReads``) while the reading
agrees with the points the grades were recorded on (``lti_ags`` asks again, ``fresh``, when they
differ), so a points change in the LMS is followed without doubling the requests of a wave."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask

from lti_tool.lti.ags import AgsTransport
from lti_tool.lti.errors import ServiceError
from lti_tool.plugin_api import TransportError


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except ServiceError as error:
        raise TransportError(error.kind, error.message, error.status_code, error.retry_after) from error


LINE_ITEM_READ_SECONDS = 10.0


class LineItemReads:
    """Line items read by deliveries in this process, kept a few seconds (per platform and URL)."""

    def __init__(self, ttl: float = LINE_ITEM_READ_SECONDS) -> None:
        self.ttl = ttl
        self._found: dict[tuple[int, str], tuple[float, Mapping[str, Any]]] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple[int, str]) -> Mapping[str, Any] | None:
        with self._guard:
            found = self._found.get(key)
        return found[1] if found and time.monotonic() - found[0] < self.ttl else None

    def put(self, key: tuple[int, str], body: Mapping[str, Any]) -> None:
        with self._guard:
            if len(self._found) > 10_000:  # many activities: start again rather than grow
                self._found.clear()
            self._found[key] = (time.monotonic(), body)


def line_item_reads(app: Flask) -> LineItemReads:
    found: LineItemReads | None = app.extensions.get("lti_tool.line_item_reads")
    if found is None:
        found = app.extensions["lti_tool.line_item_reads"] = LineItemReads()
    return found


class PluginTransport:
    """lti_tool.plugin_api.GradeTransport over lti_tool.lti.ags. ``reads``: line items read by
    deliveries in this process a few seconds ago (none: always ask the platform)."""

    def __init__(self, ags: AgsTransport, reads: LineItemReads | None = None) -> None:
        self._ags = ags
        self._reads = reads
        self._asked: dict[str, Mapping[str, Any]] = {}  # what this transport read itself

    def post_score(self, line_item_url: str, score: Mapping[str, Any]) -> None:
        with _translated():
            self._ags.post_score(line_item_url, score)

    def get_line_item(self, line_item_url: str, fresh: bool = False) -> Mapping[str, Any]:
        key = (self._ags.client.auth.platform_id, line_item_url)
        known = self._asked.get(line_item_url) or (
            self._reads.get(key) if self._reads and not fresh else None
        )
        if known is not None:
            return known
        with _translated():
            body = self._ags.get_line_item(line_item_url)
        self._asked[line_item_url] = body
        if self._reads:
            self._reads.put(key, body)
        return body

    def find_line_item(
        self, line_items_url: str, *, resource_link_id: str, resource_id: str, tag: str
    ) -> str | None:
        with _translated():
            return self._ags.find_line_item(
                line_items_url, resource_link_id=resource_link_id, resource_id=resource_id, tag=tag
            )

    def create_line_item(
        self,
        line_items_url: str,
        *,
        label: str,
        score_maximum: float,
        resource_link_id: str,
        resource_id: str,
        tag: str,
    ) -> str:
        with _translated():
            return self._ags.create_line_item(
                line_items_url,
                label=label,
                score_maximum=score_maximum,
                resource_link_id=resource_link_id,
                resource_id=resource_id,
                tag=tag,
            )
