"""RSA keys made once per session and handed out in order: the n-th key a test asks for is the
same in every test, and distinct from the test's other keys.

Making a 2048-bit RSA key costs 0.1-0.3 s of CPU; real-HTTP tests made two or three (the tool's
signing key, the demo platform's, a test platform's), about a minute of CPU over the suite. Keys
are still made by the real code (``lti_tool.lti.keys.generate_rsa_pem``), once, and every test
still starts from a database without keys; only the prime search is not repeated.
"""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives import serialization

from lti_tool.lti import keys as tool_keys

_generate = tool_keys.generate_rsa_pem  # the real generator, before any test replaces it


class KeyPool:
    def __init__(self) -> None:
        self._made: list[tuple[str, Any]] = []
        self._next = 0
        self._lock = threading.Lock()  # the tool asks from its server threads

    def rewind(self) -> None:
        """A new test: hand out the keys from the first again."""
        with self._lock:
            self._next = 0

    def _take(self) -> tuple[str, Any]:
        with self._lock:
            if self._next == len(self._made):
                pem = _generate()
                self._made.append((pem, serialization.load_pem_private_key(pem.encode(), password=None)))
            found = self._made[self._next]
            self._next += 1
            return found

    def pem(self) -> str:
        """In place of ``generate_rsa_pem``: a PKCS#8 PEM."""
        return self._take()[0]

    def private_key(self) -> Any:
        """An ``RSAPrivateKey``, for the test platforms."""
        return self._take()[1]


POOL = KeyPool()
