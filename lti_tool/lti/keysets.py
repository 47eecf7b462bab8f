"""Platform key sets, cached on the platform row.

Fetched when the cache is empty or stale, and fetched again once when a token names a
kid the cached set does not hold (the platform rotated its keys). Never on every launch.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import timedelta
from typing import Any

import requests

from lti_tool.extensions import db
from lti_tool.lti.errors import LaunchError
from lti_tool.models import Platform
from lti_tool.models.base import utcnow

log = logging.getLogger(__name__)

# An unknown kid triggers a refetch at most this often per platform, so a stream of
# tokens with made-up kids cannot turn us into a client hammering the platform.
MIN_REFETCH_SECONDS = 10
_MAX_AGE = re.compile(r"max-age=(\d+)")


def _cache_seconds(response: requests.Response, default_ttl: int) -> int:
    cache_control = response.headers.get("Cache-Control", "")
    if "no-store" in cache_control or "no-cache" in cache_control:
        return 0
    match = _MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else default_ttl


def _fetch(platform: Platform, default_ttl: int, timeout: float) -> dict[str, Any]:
    try:
        response = requests.get(platform.key_set_url, timeout=timeout)
        response.raise_for_status()
        keyset = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LaunchError(
            "keyset_unavailable",
            "The tool could not fetch the platform's public keys.",
            f"Check that {platform.key_set_url} is reachable from the tool server ({exc}).",
            status=502,
            issuer=platform.issuer,
            platform_id=platform.id,
        ) from exc
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
        raise LaunchError(
            "keyset_invalid",
            "The platform's key set is not a JSON Web Key Set.",
            f'{platform.key_set_url} must answer with {{"keys": [...]}}.',
            status=502,
            issuer=platform.issuer,
            platform_id=platform.id,
        )
    now = utcnow()
    platform.keyset_json = json.dumps(keyset)
    platform.keyset_fetched_at = now
    platform.keyset_expires_at = now + timedelta(seconds=_cache_seconds(response, default_ttl))
    db.session.commit()
    log.info("fetched key set of %s (%d keys)", platform.issuer, len(keyset["keys"]))
    return keyset


def _find(keyset: dict[str, Any] | None, kid: str) -> dict[str, Any] | None:
    for key in (keyset or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


@functools.lru_cache(maxsize=64)
def _parse(keyset_json: str) -> dict[str, Any]:
    # Parsed once per process per key set version, not on every launch.
    return json.loads(keyset_json)


def platform_public_key(platform: Platform, kid: str, *, default_ttl: int, timeout: float) -> dict[str, Any]:
    """The JWK with this kid from the platform's key set, fetching only when needed."""
    now = utcnow()
    cached = _parse(platform.keyset_json) if platform.keyset_json else None
    fresh = cached is not None and platform.keyset_expires_at and platform.keyset_expires_at > now
    if not fresh:
        cached = _fetch(platform, default_ttl, timeout)
    key = _find(cached, kid)
    if key is None and fresh:
        recently = platform.keyset_fetched_at and (
            now - platform.keyset_fetched_at < timedelta(seconds=MIN_REFETCH_SECONDS)
        )
        if not recently:
            key = _find(_fetch(platform, default_ttl, timeout), kid)
    if key is None:
        raise LaunchError(
            "unknown_kid",
            "The launch was signed with a key the platform does not publish.",
            f"The token's key id {kid!r} is not in {platform.key_set_url}.",
            issuer=platform.issuer,
            platform_id=platform.id,
        )
    return key
