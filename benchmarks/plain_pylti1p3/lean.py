"""A lean launch, the second yardstick of benchmarks/compare_launch.py (``--lean``, issue 16).

What a launch must do at least, written for speed and nothing else: PyJWT verifies the RS256
id_token (the platform's key fetched once per process), then raw ``sqlite3`` statements on one
connection per process consume the single-use state and record the user, the course, its link
and the launch in one transaction, an itsdangerous token is signed for the page, and the page
is a template. No ORM, no platform or deployment lookup in the database (one platform, read from
the tool configuration), no session cookie, no security headers, no logging. It is not part of
the tool: it measures what such a launch costs here, beside the floor (Flask and gunicorn alone)
and the plain pylti1p3 tool (docs/decisions/0029, addendum).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from typing import Any

import jwt
import requests
from flask import Blueprint, abort, current_app, render_template, request
from itsdangerous import URLSafeTimedSerializer

bp = Blueprint("lean", __name__)

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (state TEXT PRIMARY KEY, used_at REAL);
CREATE TABLE IF NOT EXISTS person (id INTEGER PRIMARY KEY, sub TEXT UNIQUE, name TEXT);
CREATE TABLE IF NOT EXISTS course (id INTEGER PRIMARY KEY, context_id TEXT UNIQUE, title TEXT);
CREATE TABLE IF NOT EXISTS link (
    id INTEGER PRIMARY KEY, course INT, link_id TEXT, title TEXT, UNIQUE (course, link_id));
CREATE TABLE IF NOT EXISTS launch (
    id TEXT PRIMARY KEY, person INT, course INT, link INT, roles TEXT, created_at REAL);
"""
_PER_PROCESS: dict[str, Any] = {}  # gunicorn forks the workers before the first request


def _registration() -> tuple[str, dict[str, Any]]:
    with open(os.environ["PLAIN_TOOL_CONFIG"]) as file:
        issuer, registrations = next(iter(json.load(file).items()))
    return issuer, registrations[0]


def _key() -> tuple[Any, str, str]:
    if "key" not in _PER_PROCESS:
        issuer, registration = _registration()
        jwks = requests.get(registration["key_set_url"], timeout=5).json()
        _PER_PROCESS["key"] = (
            jwt.PyJWK(jwks["keys"][0]).key,
            issuer,
            registration["client_id"],
        )
    key: tuple[Any, str, str] = _PER_PROCESS["key"]
    return key


def _database() -> sqlite3.Connection:
    if "db" not in _PER_PROCESS:
        connection = sqlite3.connect(
            os.environ["LEAN_DATABASE"], isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # as the tool's launch (decision 0025)
        connection.execute("PRAGMA busy_timeout=5000")
        connection.executescript(_SCHEMA)
        _PER_PROCESS["db"] = connection
    database: sqlite3.Connection = _PER_PROCESS["db"]
    return database


@bp.post("/lean/")
def launch() -> Any:
    key, issuer, client_id = _key()
    try:
        claims = jwt.decode(
            request.form.get("id_token", ""),
            key,
            algorithms=["RS256"],
            audience=client_id,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.PyJWTError:
        abort(401)
    context, link = claims[LTI + "context"], claims[LTI + "resource_link"]
    db = _database()
    db.execute("BEGIN IMMEDIATE")
    try:
        # The login would have stored the state; here the launch inserts it and consumes it at
        # once: two statements, as the tool's read and single-use UPDATE.
        db.execute("INSERT OR IGNORE INTO state VALUES (?, NULL)", (request.form.get("state", ""),))
        consumed = db.execute(
            "UPDATE state SET used_at = ? WHERE state = ? AND used_at IS NULL",
            (time.time(), request.form.get("state", "")),
        )
        if consumed.rowcount != 1:
            abort(403)
        person = db.execute(
            "INSERT INTO person (sub, name) VALUES (?, ?) ON CONFLICT (sub) DO UPDATE SET name = "
            "excluded.name RETURNING id",
            (claims["sub"], claims.get("name", "")),
        ).fetchone()[0]
        found = db.execute(
            "SELECT course.id, link.id FROM course LEFT JOIN link ON link.course = course.id "
            "AND link.link_id = ? WHERE course.context_id = ?",
            (link["id"], context["id"]),
        ).fetchone()
        if found is None:
            course = db.execute(
                "INSERT INTO course (context_id, title) VALUES (?, ?) RETURNING id",
                (context["id"], context.get("title", "")),
            ).fetchone()[0]
            found = (course, None)
        course, link_pk = found
        if link_pk is None:
            link_pk = db.execute(
                "INSERT INTO link (course, link_id, title) VALUES (?, ?, ?) RETURNING id",
                (course, link["id"], link.get("title", "")),
            ).fetchone()[0]
        launch_id = str(uuid.uuid4())
        db.execute(
            "INSERT INTO launch VALUES (?, ?, ?, ?, ?, ?)",
            (launch_id, person, course, link_pk, json.dumps(claims.get(LTI + "roles", [])), time.time()),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    earlier = db.execute(
        "SELECT count(*) FROM launch WHERE person = ? AND course = ?", (person, course)
    ).fetchone()[0]
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"]).dumps({"launch": launch_id})
    return render_template(
        "launch.html",
        page_title="Lean launch",
        launch_id=f"{token} ({earlier})",
        curr_user_name=claims.get("name", ""),
        course=context.get("title", ""),
        is_deep_link_launch=False,
    )
