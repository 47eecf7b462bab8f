"""lti_tool/lti/jws.py parses id_token segments exactly as PyJWT does (same refusals, same
bytes), only faster; and a launch token is still verified by PyJWT's checks."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError

from lti_tool.lti import jws

# PyJWT before 2.14 parses segments its own way, and lti/jws.py leaves it at that: only the
# decoder's checks (the last test) apply to it.
own_segments = pytest.mark.skipif(
    not hasattr(PyJWS, "_decode_base64url_segment"), reason="this PyJWT parses segments its own way"
)

SEGMENTS = [
    b"",
    b"eyJhbGciOiJSUzI1NiJ9",
    b"eyJhbGciOiJSUzI1NiJ9=",  # padding on a length that is not a multiple of 4
    b"YQ",
    b"YQ==",
    b"YQ===",
    b"YWI=",
    b"YWJj",
    b"Y",  # one character too many
    b"YR",  # not canonical: the last character carries unused bits
    b"!!!!",
    b"YW Jj",
    b"YW+j",  # standard base64, not url-safe
    b"YW/j",
    b"YW_j",
    b"YW-j",
    b"YWJj\n",
    "YWJ\u00e9".encode(),
    base64.urlsafe_b64encode(bytes(range(256))).rstrip(b"="),
    base64.urlsafe_b64encode(bytes(range(256))),
]


def outcome(parse: object, segment: bytes) -> object:
    try:
        return parse(segment, "payload")  # type: ignore[operator]
    except DecodeError as error:
        return ("refused", str(error))


@own_segments
@pytest.mark.parametrize("segment", SEGMENTS)
def test_segments_are_read_and_refused_as_pyjwt_does(segment: bytes) -> None:
    assert outcome(jws._StrictSegments._decode_base64url_segment, segment) == outcome(
        PyJWS._decode_base64url_segment, segment
    )


def test_the_decoder_is_pyjwts_with_every_check() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": "https://lms.test", "aud": "client", "iat": now, "exp": now + 60, "nonce": "n"}
    token = jwt.encode(claims, key, algorithm="RS256")
    options = {"require": ["exp", "iat", "iss", "aud", "nonce"]}
    check = {"algorithms": ["RS256"], "audience": "client", "issuer": "https://lms.test", "options": options}
    assert jws.decode(token, key.public_key(), **check) == claims
    with pytest.raises(jwt.InvalidSignatureError):
        jws.decode(token, other.public_key(), **check)
    with pytest.raises(jwt.InvalidAudienceError):
        jws.decode(token, key.public_key(), **{**check, "audience": "someone-else"})
    with pytest.raises(jwt.InvalidIssuerError):
        jws.decode(token, key.public_key(), **{**check, "issuer": "https://other.test"})
    with pytest.raises(jwt.ExpiredSignatureError):
        expired = jwt.encode({**claims, "exp": now - 600}, key, algorithm="RS256")
        jws.decode(expired, key.public_key(), **check)
    with pytest.raises(jwt.MissingRequiredClaimError):
        no_nonce = {name: value for name, value in claims.items() if name != "nonce"}
        jws.decode(jwt.encode(no_nonce, key, algorithm="RS256"), key.public_key(), **check)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jws.decode(jwt.encode(claims, "s" * 32, algorithm="HS256"), key.public_key(), **check)
    header, payload, signature = token.split(".")
    with pytest.raises(DecodeError):
        jws.decode(f"{header}.{payload}!.{signature}", key.public_key(), **check)
