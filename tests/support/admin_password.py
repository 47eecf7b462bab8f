"""The administrator password as tests give it: hashed cheaply (``pbkdf2:sha256:1``).

The tool takes a werkzeug hash in ADMIN_PASSWORD as is, and hashes any other value with
werkzeug's default (scrypt: 0.1 s of CPU, at every app start and at every sign-in check). Tests
that sign in are not about the hashing, so they give a cheap hash of their password and still
sign in with the password itself; tests/test_admin.py keeps one test of a plain password, kept
only as a (real) hash.
"""

from __future__ import annotations

import functools

from werkzeug.security import generate_password_hash


@functools.cache
def cheap_hash(password: str) -> str:
    return generate_password_hash(password, method="pbkdf2:sha256:1")
