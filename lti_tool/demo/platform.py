"""The demo platform's protocol side: its keys, its people, and the id_tokens it signs.

Plain Python so the test suite can use the same platform (tests/support) with its own
issuer and keys, over real HTTP.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from lti_tool.lti import claims as C
from lti_tool.lti.keys import generate_rsa_pem, private_key, public_jwk

ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@dataclass(frozen=True)
class Person:
    id: str
    given_name: str
    family_name: str
    role: str  # ROLE_INSTRUCTOR or ROLE_LEARNER

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def email(self) -> str:
        return f"{self.given_name.lower()}@demo-lms.example"

    @property
    def is_instructor(self) -> bool:
        return self.role == ROLE_INSTRUCTOR


PEOPLE = (
    Person("101", "Ada", "Okafor", ROLE_INSTRUCTOR),
    Person("201", "Ben", "Tremblay", ROLE_LEARNER),
    Person("202", "Chloe", "Singh", ROLE_LEARNER),
    Person("203", "Dev", "Lavoie", ROLE_LEARNER),
)
COURSE = {
    "id": "course-101",
    "label": "PPP101",
    "title": "Partnerships in Practice",
    "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
}


def person(person_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.id == person_id), None)


@dataclass
class PlatformKeys:
    """An RSA key pair with its kid; loaded from (or written to) a PEM file when given."""

    private_pem: str
    kid: str

    @classmethod
    def load_or_create(cls, path: Path | None) -> PlatformKeys:
        if path is not None and path.exists():
            pem = path.read_text()
        else:
            pem = generate_rsa_pem()
            if path is not None:  # written whole, then renamed: a reader never sees half a key
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                partial.write_text(pem)
                partial.chmod(0o600)
                os.replace(partial, path)
        kid = "demo-" + public_jwk(pem, "x")["n"][:16]
        return cls(pem, kid)

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [public_jwk(self.private_pem, self.kid)]}

    def private_pem_public(self) -> str:
        """The public half, PEM-encoded, for verifying what this key signed."""
        from cryptography.hazmat.primitives import serialization

        return (
            private_key(self.private_pem)
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, payload: dict[str, Any]) -> str:
        return jwt.encode(
            payload, private_key(self.private_pem), algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )


@dataclass
class LaunchRequest:
    """What the LMS knows when a person opens an activity (or asks to add one)."""

    person: Person
    message_type: str = C.RESOURCE_LINK_REQUEST
    resource_link: dict[str, Any] | None = None
    custom: dict[str, str] = field(default_factory=dict)
    document_target: str = "iframe"
    ags: dict[str, Any] | None = None
    nrps_url: str | None = None
    deep_link_return_url: str | None = None
    deep_link_data: str | None = None
    locale: str = "en-CA"  # the person's language in this LMS (the demo lets each choose)


def build_claims(
    *,
    issuer: str,
    client_id: str,
    deployment_id: str,
    target_link_uri: str,
    nonce: str,
    request: LaunchRequest,
    lifetime: int = 60,
) -> dict[str, Any]:
    """Claims as Moodle 4.5 sends them (aud a string, a 60-second lifetime)."""
    now = int(time.time())
    p = request.person
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": client_id,
        "sub": p.id,
        "iat": now,
        "exp": now + lifetime,
        "nonce": nonce,
        "name": p.name,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "email": p.email,
        C.DEPLOYMENT_ID: deployment_id,
        C.MESSAGE_TYPE: request.message_type,
        C.VERSION: "1.3.0",
        C.TARGET_LINK_URI: target_link_uri,
        C.ROLES: [p.role],
        C.CONTEXT: COURSE,
        C.LAUNCH_PRESENTATION: {"locale": request.locale, "document_target": request.document_target},
        C.TOOL_PLATFORM: {"product_family_code": "p3-demo-lms", "name": "Demo LMS", "guid": "p3-demo-lms"},
    }
    if request.custom:
        claims[C.CUSTOM] = request.custom
    if request.message_type == C.RESOURCE_LINK_REQUEST:
        claims[C.RESOURCE_LINK] = request.resource_link or {"id": "default", "title": "Workshop"}
    if request.message_type == C.DEEP_LINKING_REQUEST:
        settings: dict[str, Any] = {
            "deep_link_return_url": request.deep_link_return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": False,
        }
        if request.deep_link_data:
            settings["data"] = request.deep_link_data
        claims[C.DEEP_LINKING_SETTINGS] = settings
    if request.ags:
        claims[C.AGS] = request.ags
    if request.nrps_url:
        claims[C.NRPS] = {"context_memberships_url": request.nrps_url, "service_versions": ["2.0"]}
    return claims


def new_message_hint(payload: dict[str, Any]) -> str:
    return json.dumps({**payload, "n": secrets.token_hex(4)})
