"""The tool's own signing keys: generated on first use, encrypted at rest, rotated with overlap."""

from __future__ import annotations

import base64
import functools
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import or_, select

from lti_tool.extensions import db
from lti_tool.models import ToolKey
from lti_tool.models.base import utcnow

# The JWTs the tool signs (client assertions, Deep Linking answers) say they were issued this
# many seconds before now. Moodle checks ``iat`` with php-jwt and no leeway: a tool whose clock
# is ahead of Moodle's, by less than a second past the network's delay, was refused. Canvas takes
# an ``iat`` up to 5 minutes old. Decision 0041.
ISSUED_EARLIER = 60


def issued_at(now: float) -> int:
    """The ``iat`` of a JWT the tool signs at ``now``."""
    return int(now) - ISSUED_EARLIER


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str


def _fernet(secret_key: str) -> Fernet:
    # Keys are encrypted with a key derived from SECRET_KEY: a database dump alone
    # does not let anyone sign as the tool (docs/decisions/0003-tool-keys.md).
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"p3-tool-keys", info=b"tool-key-encryption"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def generate_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@functools.lru_cache(maxsize=32)
def private_key(private_pem: str) -> rsa.RSAPrivateKey:
    """The PEM parsed once per process: parsing checks the key's arithmetic (0.1-0.2 s of CPU),
    which every signature and every key set served used to pay again."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def public_jwk(private_pem: str, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key(private_pem).public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


def create_key(secret_key: str) -> ToolKey:
    pem = generate_rsa_pem()
    kid = uuid.uuid4().hex
    key = ToolKey(
        kid=kid,
        private_key_encrypted=_fernet(secret_key).encrypt(pem.encode()).decode(),
        public_jwk_json=json.dumps(public_jwk(pem, kid)),
        active=True,
    )
    db.session.add(key)
    db.session.commit()
    return key


def current_signing_key(secret_key: str) -> SigningKey:
    """The newest active key; one is generated on first use."""
    key = db.session.scalars(
        select(ToolKey).where(ToolKey.active.is_(True)).order_by(ToolKey.id.desc()).limit(1)
    ).first()
    if key is None:
        key = create_key(secret_key)
    pem = _fernet(secret_key).decrypt(key.private_key_encrypted.encode()).decode()
    return SigningKey(kid=key.kid, private_pem=pem)


def published_keys() -> list[ToolKey]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(ToolKey)
            .where(or_(ToolKey.active.is_(True), ToolKey.published_until > now))
            .order_by(ToolKey.id.desc())
        )
    )


def jwks(secret_key: str) -> dict[str, list[dict[str, Any]]]:
    if not published_keys():
        current_signing_key(secret_key)
    return {"keys": [json.loads(k.public_jwk_json) for k in published_keys()]}


def rotate(secret_key: str, overlap_days: int) -> tuple[ToolKey, list[ToolKey]]:
    """A new key signs from now on; the old ones stay published for overlap_days."""
    retiring = list(db.session.scalars(select(ToolKey).where(ToolKey.active.is_(True))))
    until = utcnow() + timedelta(days=overlap_days)
    for key in retiring:
        key.active = False
        key.published_until = until
    new_key = create_key(secret_key)  # commits both changes together
    return new_key, retiring
