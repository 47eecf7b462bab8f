"""The connection layer of outbound calls: a watchdog that ends a call at its total deadline,
and connections that check the address they connect to against the destination policy."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lti_tool.outbound.policy import DestinationPolicy

# --- the watchdog: one total deadline per call -------------------------------------------------


class Call:
    """The sockets of one call; shut down when its deadline passes (recv then returns)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        try:
            # A duplicate of the descriptor: shutting it down ends the connection even after
            # TLS has wrapped (and detached) the original socket object.
            dup = socket.socket(sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno()))
        except OSError:
            return
        with self._lock:
            self._sockets.append(dup)
            if self.expired:
                _shutdown(dup)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


current = threading.local()


def _watch(sock: Any) -> None:
    call: Call | None = getattr(current, "call", None)
    if call is not None:
        call.watch(sock)


# --- connections that check where they connect ----------------------------------------------


class _GuardedConnectionMixin:
    policy: DestinationPolicy
    _dns_host: str
    port: int
    sock: Any

    def _new_conn(self) -> socket.socket:
        # Resolve and check here, then connect to the checked address itself; the host name
        # stays for the Host header, SNI and certificate verification.
        name = self._dns_host
        last: Exception | None = None
        for address in self.policy.addresses(name, self.port):
            self._dns_host = address
            try:
                sock: socket.socket = super()._new_conn()  # type: ignore[misc]
            except Exception as exc:  # the next address, as urllib3 itself would
                last = exc
                continue
            finally:
                self._dns_host = name
            _watch(sock)
            return sock
        assert last is not None
        raise last

    def request(self, *args: Any, **kwargs: Any) -> Any:
        _watch(self.sock)  # a kept-alive connection: this call's deadline applies to it too
        return super().request(*args, **kwargs)  # type: ignore[misc]


class GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: DestinationPolicy, **kwargs: Any) -> None:
        attrs = {"policy": policy}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), attrs)
        self._pools = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools
