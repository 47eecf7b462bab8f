"""What a learner's launch, and its page opened again, send to PostgreSQL: libpq's trace of the
frontend messages (one line per message: a query, BEGIN, COMMIT, the pool's pre-ping ``;``).
Each request's messages are what its round trips are (issue 16, decision 0045).

    .venv/bin/python benchmarks/pg_round_trips.py [--database-url postgresql://...]

A launch of an existing user into an existing course (five launches before it); the trace starts
on fresh connections so that it holds only the traced requests.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any

import sqlalchemy as sa
from _common import scratch_database
from launch_profile import build_app, prepared_launch, register

from lti_tool.extensions import db
from tests.support.independent_platform import IndependentPlatform


def frontend_messages(text: str) -> list[str]:
    """The messages the client sent (libpq trace lines: time, F/B, length, message...)."""
    out = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) > 2 and parts[1] == "F" and parts[3] in ("Query", "Parse"):
            out.append(" ".join(parts[3:])[:140])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    fd, trace_path = tempfile.mkstemp(suffix=".trace")
    with os.fdopen(fd, "w") as trace, scratch_database(args.database_url) as url:
        app = build_app(url)
        platform = IndependentPlatform()
        register(app, platform)
        with app.app_context():
            engine = db.engine
        for _ in range(5):
            client, token, state = prepared_launch(app, platform)
            client.post("/lti/launch", data={"id_token": token, "state": state})
        client, token, state = prepared_launch(app, platform)
        engine.dispose()

        @sa.event.listens_for(engine, "connect")
        def _trace(dbapi: Any, _record: Any) -> None:
            dbapi.pgconn.trace(trace.fileno())

        launched = client.post("/lti/launch", data={"id_token": token, "state": state})
        assert launched.status_code == 200, launched.text[:300]
        trace.flush()
        mark = os.path.getsize(trace_path)
        page = launched.text.partition(' data-page-url="')[2].partition('"')[0].replace("&amp;", "&")
        assert client.get(page).status_code == 200
        trace.flush()
        platform.stop()
        with app.app_context():
            db.engine.dispose()
    with open(trace_path) as traced:
        text = traced.read()
    os.unlink(trace_path)
    for name, part in (("launch POST with its page", text[:mark]), ("page opened again", text[mark:])):
        messages = frontend_messages(part)
        print(f"{name}: {len(messages)} round trips")
        print("\n".join("  " + m for m in messages))


if __name__ == "__main__":
    main()
