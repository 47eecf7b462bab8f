"""A loopback HTTP server whose answers a test scripts: slow (a byte at a time), huge, a
redirect, an error with a body. It counts what it was asked and what it finished sending, so a
test can tell whether the tool stayed until the end or let go."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.serving import serve_in_thread, stop_serving


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


def drip(payload: bytes, every: float) -> Iterator[bytes]:
    """One byte every `every` seconds."""
    for i in range(len(payload)):
        yield payload[i : i + 1]
        time.sleep(every)


class ScriptedServer:
    def __init__(self, answer: Callable[[str, str, bytes], Reply]) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str]] = []
        self.finished = 0  # replies sent to the end
        self.abandoned = 0  # replies the client hung up on
        self.in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        serve_in_thread(self._server)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append((self.command, self.path))
                    server.in_flight += 1
                try:
                    reply = server.answer(self.command, self.path, body)
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if isinstance(reply.body, bytes) and "Content-Length" not in reply.headers:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                    with server._lock:
                        server.finished += 1
                except OSError:
                    with server._lock:
                        server.abandoned += 1
                finally:
                    with server._lock:
                        server.in_flight -= 1

            do_GET = do_POST = _serve  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def wait_for(self, condition: Callable[[ScriptedServer], bool], timeout: float = 20) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition(self):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        stop_serving(self._server)
