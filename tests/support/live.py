"""A real HTTP server around an app, in a thread: tests talk to it over the loopback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server

from tests.support.serving import serve_in_thread, stop_serving


class LiveServer:
    """Binds first (port 0), then serves whatever WSGI app is set: the app's BASE_URL
    must contain the port, so the app is built after the socket exists."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._app: Callable[..., Any] | None = None
        self._server = make_server(host, 0, self._dispatch, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self._app is not None, "no app set on the live server"
        return self._app(environ, start_response)

    def start(self, app: Callable[..., Any]) -> LiveServer:
        self._app = app
        serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        stop_serving(self._server)
