"""LTI Assignment and Grade Services client: line items and scores over HTTP.

``ServiceClient`` makes authorised requests to a platform's LTI Advantage services (AGS, NRPS)
and sorts every failure into retry / permanent / token_expired (``ServiceError``);
``AgsTransport`` is the GradeTransport a passback plugin is given.

URLs keep their query: Moodle's line item URLs carry ``?type_id=N``, so the scores URL of
``.../lineitems/2/lineitem?type_id=1`` is ``.../lineitems/2/lineitem/scores?type_id=1``.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti_tool import outbound
from lti_tool.lti.errors import ServiceError, ServiceLimit
from lti_tool.lti.keys import SigningKey
from lti_tool.lti.oauth import (
    AccessToken,
    PlatformAuth,
    TokenCache,
    error_message,
    rate_limited,
    request_token,
    transport_error,
)
from lti_tool.lti.oauth import retry_after_seconds as _retry_after

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MAX_PAGES = 50
# Moodle compares a score's timestamp with its grade's in whole seconds: a refused score (409)
# is sent again no sooner than this.
SCORE_CONFLICT_WAIT = 1.0
# Canvas refuses (400) a score dated before the one it holds, and names that one's timestamp, the
# tool's own from an earlier delivery (scores_controller.rb#verify_valid_timestamp; decision 0050).
_CANVAS_HELD = re.compile(r"before last updated timestamp of ([0-9][0-9T:.+\-Z]*[0-9Z])")
# A read that pages (the line items here, the roster in lti_tool.lti.nrps) has, in all, the time
# of this many single calls (HTTP_TIMEOUT each): pages, token requests and a retry together.
PAGED_READ_CALLS = 2


def scores_url(line_item_url: str) -> str:
    """The scores endpoint of a line item: path + /scores, query kept."""
    return _with_path_suffix(line_item_url, "/scores")


def _with_path_suffix(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def with_query(url: str, params: Mapping[str, str]) -> str:
    """Add query parameters, keeping the ones the URL already has (type_id)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query)))


def granted_ags_scopes(claim: Mapping[str, Any]) -> tuple[str, ...]:
    """The AGS scopes the tool asks a token for: what it uses of what the platform granted
    (line items are only read: their points are the activity's scale)."""
    scopes = claim.get("scope")
    granted = {s for s in scopes if isinstance(s, str)} if isinstance(scopes, list) else set()
    return tuple(sorted(granted & {SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_SCORE}))


def can_read_line_items(scopes: Iterable[str]) -> bool:
    return bool({SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY} & set(scopes))


class ServiceClient:
    """Authorised requests to one platform's services, with an access token per scope set.

    Each call has the outbound client's deadline (``HTTP_TIMEOUT``); ``within(seconds)`` gives a
    client whose calls all end within one total deadline, for reads of many pages."""

    def __init__(
        self,
        http: outbound.OutboundClient,
        auth: PlatformAuth,
        tokens: TokenCache,
        signing_key: Callable[[], SigningKey],
    ) -> None:
        self.http = http
        self.auth = auth
        self.tokens = tokens
        self.signing_key = signing_key
        self.token_requests = 0
        self.until: float | None = None  # time.monotonic() by which every call has ended
        self.total = 0.0

    def within(self, seconds: float) -> ServiceClient:
        """This client with one total deadline, ``seconds`` from now, for all its calls together
        (token requests, pages, a retry): a read of many pages cannot hold a worker for pages x
        HTTP_TIMEOUT. Past it, calls raise ServiceLimit("deadline")."""
        bounded = copy.copy(self)
        bounded.until = time.monotonic() + seconds
        bounded.total = seconds
        return bounded

    def paged(self) -> ServiceClient:
        """``within`` the time of PAGED_READ_CALLS calls (a roster, a list of line items)."""
        return self.within(PAGED_READ_CALLS * self.http.deadline)

    def _call_deadline(self) -> float | None:
        """The next call's deadline: the outbound client's, or what is left of this client's."""
        if self.until is None:
            return None
        left = self.until - time.monotonic()
        if left <= 0:
            raise self._late()
        return min(self.http.deadline, left)

    def _spent(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until

    def _late(self) -> ServiceLimit:
        return ServiceLimit("deadline", f"the LMS did not answer in full within {self.total:g} s")

    def _fetch_token(self, scopes: Iterable[str]) -> AccessToken:
        self.token_requests += 1
        return request_token(self.http, self.auth, self.signing_key(), scopes, deadline=self._call_deadline())

    def token(self, scopes: Iterable[str]) -> str:
        scopes = tuple(scopes)
        return self.tokens.get(self.auth, scopes, lambda: self._fetch_token(scopes))

    def request(
        self,
        method: str,
        url: str,
        scopes: Iterable[str],
        *,
        json: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> outbound.Answer:
        try:
            return self._request(method, url, scopes, json=json, content_type=content_type, accept=accept)
        except ServiceLimit:
            raise
        except ServiceError as error:
            if self._spent():  # cut off by this client's total deadline, not the platform's doing
                raise self._late() from error
            raise

    def _request(
        self,
        method: str,
        url: str,
        scopes: Iterable[str],
        *,
        json: Any,
        content_type: str | None,
        accept: str | None,
    ) -> outbound.Answer:
        scopes = tuple(scopes)
        token = self.token(scopes)
        headers = {"Authorization": f"Bearer {token}"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        try:
            response = self.http.request(
                method,
                url,
                outbound.SERVICE,
                headers=headers,
                data=None if json is None else _dumps(json),
                deadline=self._call_deadline(),
            )
        except outbound.OutboundError as exc:
            raise transport_error(exc, "the LMS") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status == 401:
            self.tokens.invalidate(self.auth, scopes, token)
            message = "the LMS refused the access token: " + error_message(response)
            raise ServiceError("token_expired", message, 401)
        if status in (408, 425, 429) or status >= 500 or rate_limited(response):
            raise ServiceError(
                "retry", "the LMS answered " + error_message(response, 200), status, _retry_after(response)
            )
        raise ServiceError(
            "permanent",
            "the LMS refused the request: " + error_message(response),
            status,
            detail=response.content[:2000].decode("utf-8", "replace"),
        )

    def get_json(self, url: str, scopes: Iterable[str], accept: str) -> tuple[Any, outbound.Answer]:
        response = self.request("GET", url, scopes, accept=accept)
        try:
            return response.json(), response
        except ValueError as exc:
            raise ServiceError(
                "retry", f"the LMS answered {url} with malformed JSON", response.status_code
            ) from exc


def canvas_held_timestamp(error: ServiceError) -> datetime | None:
    """The timestamp of the score Canvas holds, from its 400 "Provided timestamp of ... before
    last updated timestamp of <ISO 8601>", or None for any other refusal."""
    found = _CANVAS_HELD.search(error.detail)
    if found is None:
        return None
    try:
        held = datetime.fromisoformat(found.group(1))
    except ValueError:
        return None
    return held if held.tzinfo is not None else None


def _dumps(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()


class AgsTransport:
    """Scores and line items over AGS (wrapped for passback plugins by
    lti_tool.services.grades.transport)."""

    def __init__(self, client: ServiceClient, scopes: Iterable[str]) -> None:
        self.client = client
        self.scopes = tuple(scopes)

    def post_score(self, line_item_url: str, score: Mapping[str, Any]) -> None:
        """A score refused for its timestamp is tried again later, with a new timestamp:
        Moodle's 409 (not later, in whole seconds, than the moment it last changed that grade on
        its own clock, scores.php: a second or more later; decision 0041), and Canvas's 400
        (before the timestamp of the score it holds, which Canvas names: once the tool's clock
        has passed it; decision 0050)."""
        try:
            self.client.request(
                "POST", scores_url(line_item_url), self.scopes, json=dict(score), content_type=SCORE_TYPE
            )
        except ServiceError as error:
            if error.kind != "permanent":
                raise
            if error.status_code == 409:
                wait = max(error.retry_after or 0.0, SCORE_CONFLICT_WAIT)
            else:
                held = canvas_held_timestamp(error) if error.status_code == 400 else None
                if held is None:
                    raise
                # A score sent by a worker whose clock is ahead, or before this host's clock went
                # back. Sent again through the outbox (lease, latest version only), never with a
                # stamp the tool's clock has not reached: a stale delivery cannot win this way.
                wait = max((held - datetime.now(UTC)).total_seconds(), 0.0) + 0.001
            # Worded as any answer worth another try (translated on the gradebook page).
            message = "the LMS answered " + error.message.removeprefix("the LMS refused the request: ")
            raise ServiceError("retry", message, error.status_code, wait) from error

    def get_line_item(self, line_item_url: str) -> dict[str, Any]:
        body, response = self.client.get_json(line_item_url, self.scopes, LINEITEM_TYPE)
        if not isinstance(body, dict):
            raise ServiceError(
                "retry", "the LMS answered its line item with something else", response.status_code
            )
        return body

    def find_line_item(
        self, line_items_url: str, *, resource_link_id: str, resource_id: str, tag: str
    ) -> str | None:
        """The line item of the resource link, or None. At most MAX_PAGES pages, all of them
        within one total deadline (ServiceLimit "deadline" past it: the delivery retries later)."""
        client = self.client.paged()
        url: str | None = with_query(line_items_url, {"resource_link_id": resource_link_id})
        for _ in range(MAX_PAGES):
            if url is None:
                break
            body, response = client.get_json(url, self.scopes, LINEITEMS_TYPE)
            items = body if isinstance(body, list) else []
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                # Platforms may ignore the filters: check them here too.
                if str(item.get("resourceLinkId") or "") != resource_link_id:
                    continue
                if tag and item.get("tag") and item.get("tag") != tag:
                    continue
                if resource_id and item.get("resourceId") and item.get("resourceId") != resource_id:
                    continue
                found: str = item["id"]  # a str: checked above
                return found
            url = response.links.get("next", {}).get("url")
        return None

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
        body: dict[str, Any] = {
            "label": label,
            "scoreMaximum": score_maximum,
            "resourceLinkId": resource_link_id,
        }
        if resource_id:
            body["resourceId"] = resource_id
        if tag:
            body["tag"] = tag
        response = self.client.request(
            "POST", line_items_url, self.scopes, json=body, content_type=LINEITEM_TYPE, accept=LINEITEM_TYPE
        )
        try:
            created = response.json()
            return str(created["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ServiceError(
                "retry", "the LMS created a line item but its answer has no id", response.status_code
            ) from exc
