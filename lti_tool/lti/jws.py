"""PyJWT's decoder, with its base64url alphabet check done by a regular expression.

PyJWT (2.14 and later) checks each character of each segment against the base64url alphabet in
a Python generator (GHSA-hxm8-2xgr-2p9m): about 1,500 steps per id_token, the largest part of a
verification after the RSA signature itself. ``_StrictSegments`` does the same checks, in the
same order and with the same errors, with one ``re.fullmatch`` (in C); everything else (the
signature, the algorithm allowlist, exp, iat, nbf, aud, iss, required claims) is PyJWT's own
code, unchanged. tests/lti/test_jws.py compares both on valid and invalid segments.
"""

from __future__ import annotations

import binascii
import re

import jwt
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError
from jwt.utils import base64url_decode, base64url_encode

_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")


class _StrictSegments(PyJWS):
    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        # PyJWT's own steps (jwt/api_jws.py), the alphabet tested with a regular expression.
        padding = 0
        stripped = segment
        while stripped.endswith(b"="):
            stripped = stripped[:-1]
            padding += 1
            if padding > 2:
                raise DecodeError(f"Invalid {name} padding")
        if padding and len(segment) % 4 != 0:
            raise DecodeError(f"Invalid {name} padding")
        if len(stripped) % 4 == 1 or _ALPHABET.fullmatch(stripped) is None:
            raise DecodeError(f"Invalid {name} padding")
        try:
            decoded = base64url_decode(stripped)
        except (TypeError, binascii.Error) as err:
            raise DecodeError(f"Invalid {name} padding") from err
        if base64url_encode(decoded) != stripped:
            raise DecodeError(f"Invalid {name} padding")
        return decoded


def _decoder() -> jwt.PyJWT:
    decoder = jwt.PyJWT()
    # Only when this PyJWT checks segments this way (2.14+); an older one keeps its own parse.
    if hasattr(PyJWS, "_decode_base64url_segment") and hasattr(decoder, "_jws"):
        decoder._jws = _StrictSegments(options=decoder._get_sig_options())
    return decoder


decode = _decoder().decode
