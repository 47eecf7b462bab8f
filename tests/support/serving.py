"""Loopback servers served from a thread, and stopped without the idle wait.

``serve_forever`` checks for a shutdown request once per ``poll_interval`` (0.5 s by default), so
each ``shutdown()`` waited 0.25-0.5 s doing nothing: with a tool server and one or two platform
servers per real-HTTP test, that was minutes of the suite (tests/README.md, "Time").
"""

from __future__ import annotations

import socketserver
import threading

POLL_SECONDS = 0.02


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Start serving in a daemon thread; ``stop_serving`` ends it within POLL_SECONDS."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread


def stop_serving(server: socketserver.BaseServer) -> None:
    server.shutdown()
    server.server_close()
