"""The GradeTransport handed to passback plugins: AGS calls, with the protocol layer's
``ServiceError`` translated into the plugin API's ``TransportError``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from lti_tool.lti.ags import AgsTransport
from lti_tool.lti.errors import ServiceError
from lti_tool.plugin_api import TransportError


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except ServiceError as error:
        raise TransportError(error.kind, error.message, error.status_code, error.retry_after) from error


class PluginTransport:
    """lti_tool.plugin_api.GradeTransport over lti_tool.lti.ags."""

    def __init__(self, ags: AgsTransport) -> None:
        self._ags = ags

    def post_score(self, line_item_url: str, score: Mapping[str, Any]) -> None:
        with _translated():
            self._ags.post_score(line_item_url, score)

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
