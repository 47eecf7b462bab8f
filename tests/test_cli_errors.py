"""A `flask` command that cannot use the database says so in one line, with its fix.

Run as an operator runs them (a `flask` process: the line comes from the interpreter's last
resort, lti_tool/cli_errors.py), in parallel to keep the test short.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import exc as sa_exc

from lti_tool.cli_errors import database_problem
from tests.conftest import TEST_SECRET


def _flask(*args: str, database_url: str, cwd: Path, lang: str = "C.UTF-8") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LTI_TOOL_", "FLASK_", "LC_"))}
    env.update(
        LANG=lang,
        LTI_TOOL_ENV="testing",
        LTI_TOOL_SECRET_KEY=TEST_SECRET,
        LTI_TOOL_DATABASE_URL=database_url,
        LTI_TOOL_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "lti_tool", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_database_that_does_not_answer_or_is_not_migrated_is_one_line(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path}/no-such-folder/p3.sqlite"
    empty = f"sqlite:///{tmp_path}/empty.sqlite"
    runs = {
        # Flask-Migrate's own command (another package's entry point) as well as the tool's.
        "upgrade": _flask("db", "upgrade", database_url=unreachable, cwd=tmp_path),
        "worker": _flask("grades", "work", "--once", database_url=unreachable, cwd=tmp_path),
        "empty": _flask("platform", "list", database_url=empty, cwd=tmp_path),
        "vide": _flask("keys", "list", database_url=empty, cwd=tmp_path, lang="fr_CA.UTF-8"),
    }
    done = {name: (run.communicate(timeout=120), run.returncode) for name, run in runs.items()}
    for name, ((out, err), code) in done.items():
        assert code == 1 and "Traceback" not in err, (name, out, err)
    unanswered = (
        "ERROR: the database does not answer (unable to open database file). "
        "Fix: check LTI_TOOL_DATABASE_URL and that the database server runs.\n"
    )
    assert done["upgrade"][0][1] == unanswered
    assert done["worker"][0][1] == unanswered
    assert done["empty"][0][1] == (
        "ERROR: the database is not migrated for this release (no such table: platform). "
        "Fix: run `flask --app lti_tool db upgrade` (back up the database first).\n"
    )
    # In the administrator's language (LANG), as every command.
    french = done["vide"][0][1]
    assert "la base de données n'est pas migrée pour cette version (no such table: tool_key)" in french
    assert "exécutez `flask --app lti_tool db upgrade` (sauvegardez d'abord la base de données)" in french


def test_other_errors_keep_their_traceback() -> None:
    assert database_problem(ValueError("a bug")) is None
    integrity = sa_exc.IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))
    assert database_problem(integrity) is None
