"""A sample third-party grade passback plugin: each grade is POSTed as JSON to a URL of the
teacher's choosing, signed with HMAC-SHA256 so that the receiver can check where it came from.

Header ``X-P3-Signature: sha256=<hex>`` is the HMAC of the exact request body with the shared
``secret``. 2xx: delivered; 408, 425, 429 and 5xx: retried (``Retry-After`` honoured); any other
answer: refused for good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from lti_tool.plugin_api import GradePassback, GradeToSend, GradeTransport, PassbackResult
from p3_sample_plugin import TEXTS

_ = TEXTS.gettext
_l = TEXTS.lazy_gettext

SIGNATURE_HEADER = "X-P3-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSettings(Schema):
    class Meta:
        unknown = RAISE

    url = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"label": _l("Webhook URL"), "help": _l("Where each grade is POSTed (http or https).")},
    )
    secret = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={
            "label": _l("Signing secret"),
            "help": _l("Shared with the receiver to check the signature."),
        },
    )
    timeout = fields.Float(
        load_default=10.0,
        validate=validate.Range(min=0.5, max=60),
        metadata={"label": _l("Timeout (seconds)")},
    )

    @validates("url")
    def _http_url(self, value: str, **kwargs: Any) -> None:
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
            raise ValidationError(_("Enter an http:// or https:// URL."))


class SignedWebhookPassback(GradePassback):
    name = "signed_webhook"
    label = _l("Signed webhook")
    description = _l(
        "POSTs each grade as signed JSON to a URL you choose (e.g. a student information system)."
    )
    version = "0.1.0"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = WebhookSettings
    uses_transport = False  # it does not talk to the LMS

    def supports(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        return bool(settings["url"])  # only once a teacher has configured it

    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        if not settings["url"]:
            return PassbackResult.permanent("no webhook URL is configured")
        body = json.dumps(
            {
                "user_id": grade.user_id,
                "score_given": grade.score_given,
                "score_maximum": grade.score_maximum,
                "comment": grade.comment,
                "timestamp": grade.timestamp,
                "resource_link_id": grade.resource_link_id,
            },
            sort_keys=True,
        ).encode()
        headers = {"Content-Type": "application/json"}
        if settings["secret"]:
            headers[SIGNATURE_HEADER] = signature(settings["secret"], body)
        try:
            answer = requests.post(settings["url"], data=body, headers=headers, timeout=settings["timeout"])
        except requests.RequestException as exc:
            return PassbackResult.retry(f"the webhook is not reachable ({exc})")
        status = answer.status_code
        if 200 <= status < 300:
            return PassbackResult.delivered(f"Sent to {urlsplit(settings['url']).netloc}")
        if status in (408, 425, 429) or status >= 500:
            retry_after = answer.headers.get("Retry-After", "")
            wait = float(retry_after) if retry_after.isdigit() else None
            return PassbackResult.retry(f"the webhook answered {status}", wait, status)
        return PassbackResult.permanent(
            f"the webhook refused the grade ({status}): {answer.text[:200]}", status
        )
