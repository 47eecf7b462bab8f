"""A plain pylti1p3 Flask tool, the yardstick of benchmarks/compare_launch.py (issue 16).

Written the way pylti1p3's README and its Flask example (pylti1.3-flask-example, game/app.py)
do it, and nothing more: the tool configuration read from a JSON file (ToolConfJsonFile) in each
view, FlaskOIDCLogin for the login, FlaskMessageLaunch for the launch, and the launch POST
answering with a page rendered from a template (no redirect). It is not part of the tool.

Two departures from the example, both needed to serve it with two gunicorn workers:
- The launch data live in pylti1p3's default storage, the Flask session cookie. The example's
  FlaskCacheDataStorage on Flask-Caching's "simple" cache is per process, so a login answered by
  one worker and its launch by the other fail the nonce check.
- PLAIN_TOOL_KEY_CACHE=1 turns on the README's "Cache for Public Key"
  (``set_public_key_caching``, here on a per-process dict); by default, as in the example, the
  platform's key set is fetched on every launch.

    PLAIN_TOOL_CONFIG=/path/tool.json PLAIN_TOOL_SECRET=... gunicorn -w 2 'app:app'
"""

from __future__ import annotations

import os
import time
from typing import Any

import lean  # the lean launch (compare_launch.py --lean), served beside the plain tool
from flask import Flask, jsonify, render_template
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.launch_data_storage.cache import CacheDataStorage
from pylti1p3.tool_config import ToolConfJsonFile

app = Flask("plain-pylti1p3-tool", template_folder=os.path.join(os.path.dirname(__file__), "templates"))
app.config.update(
    SECRET_KEY=os.environ.get("PLAIN_TOOL_SECRET", "replace-me"),
    SESSION_COOKIE_NAME="pylti1p3-flask-app-sessionid",
    SESSION_COOKIE_HTTPONLY=True,
)
app.register_blueprint(lean.bp)


class _ProcessCache:
    """The smallest cache pylti1p3's CacheDataStorage accepts (get/set), per process."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any:
        expires, value = self._values.get(key, (0.0, None))
        return value if expires > time.time() else None

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        self._values[key] = (time.time() + (exp or 3600), value)


class _KeyCache(CacheDataStorage):
    def __init__(self) -> None:
        super().__init__()
        self._cache = _ProcessCache()


KEY_CACHE = _KeyCache() if os.environ.get("PLAIN_TOOL_KEY_CACHE") == "1" else None


def tool_conf() -> ToolConfJsonFile:
    return ToolConfJsonFile(os.environ["PLAIN_TOOL_CONFIG"])


@app.route("/login/", methods=["GET", "POST"])
def login() -> Any:
    flask_request = FlaskRequest()
    target_link_uri = flask_request.get_param("target_link_uri")
    if not target_link_uri:
        raise Exception('Missing "target_link_uri" param')
    oidc_login = FlaskOIDCLogin(flask_request, tool_conf())
    return oidc_login.redirect(target_link_uri)


@app.route("/launch/", methods=["POST"])
def launch() -> Any:
    message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf())
    if KEY_CACHE is not None:
        message_launch.set_public_key_caching(KEY_CACHE, cache_lifetime=7200)
    launch_data = message_launch.get_launch_data()
    context = launch_data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
    return render_template(
        "launch.html",
        page_title="Plain pylti1p3 tool",
        launch_id=message_launch.get_launch_id(),
        curr_user_name=launch_data.get("name", ""),
        course=context.get("title", ""),
        is_deep_link_launch=message_launch.is_deep_link_launch(),
    )


@app.route("/floor/", methods=["POST"])
def floor() -> Any:
    """No LTI at all: the same form read and the same page, for compare_launch.py --floor (what
    Flask, gunicorn and the client cost for one such request: no tool can launch for less)."""
    from flask import request

    return render_template(
        "launch.html",
        page_title="Plain pylti1p3 tool",
        launch_id=request.form.get("state", ""),
        curr_user_name=str(len(request.form.get("id_token", ""))),
        course="",
        is_deep_link_launch=False,
    )


@app.route("/jwks/", methods=["GET"])
def get_jwks() -> Any:
    return jsonify(tool_conf().get_jwks())
