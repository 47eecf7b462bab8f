"""The release works where it is installed, not only in a checkout.

Builds the sdist of a copy of the checkout and, from it, the wheel (``python -m build``), once;
checks what each holds (and what they must not: the test suite); installs
the wheel (not editable) into a fresh virtualenv; then, from an empty folder, runs what
docs/deploy.md asks of an operator: migrate, content check, plugins list, check, and serves with
gunicorn and the shipped settings, fetching the key set, the health check and a demo page. A file
left out of the package, an undeclared dependency or a setting that only a checkout provides fails
here. On PostgreSQL when LTI_TOOL_TEST_POSTGRES_URL is set (as in CI), on SQLite otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

import lti_tool
from tests.support.databases import postgres_admin_url

ROOT = Path(__file__).resolve().parent.parent
# The built-in plugins, registered by this distribution's own entry points (not a separate one).
BUILT_IN_PLUGINS = (
    "threshold_bands",
    "importance_gap",
    "workshop",
    "uploaded",
    "lti_ags",
    "gradebook_export",
)
# One build for the module: under pytest-xdist (--dist loadgroup) both tests run on one worker.
pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{output[-3000:]}"
    return output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    admin = postgres_admin_url()
    if not admin:
        yield "sqlite:///" + str(Path(os.environ.get("TMPDIR", "/tmp")) / f"p3-pkg-{uuid.uuid4().hex}.sqlite")
        return
    name = f"p3_pkg_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield (
        sa.engine.make_url(admin)
        .set(database=name)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg://", "postgresql://")
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist, then the wheel built from the sdist (``python -m build``), of a copy of the
    checkout; built once for the module (about 10 s)."""
    tmp_path = tmp_path_factory.mktemp("release")
    dist = tmp_path / "dist"
    source = _clone_of_the_checkout(tmp_path / "source")
    build_log = _run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], source, dict(os.environ)
    )
    for warning in ("is absent from the `packages` configuration", "SetuptoolsDeprecationWarning"):
        assert warning not in build_log, build_log
    return next(dist.glob("*.tar.gz")), next(dist.glob("*.whl"))


def test_the_sdist_and_the_wheel_hold_the_release_and_nothing_else(release: tuple[Path, Path]) -> None:
    sdist, wheel = release
    assert wheel.name == f"p3_workshop_lti-{lti_tool.__version__}-py3-none-any.whl"
    _every_source_file_is_in_the_wheel(wheel)
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = f"p3_workshop_lti-{lti_tool.__version__}.dist-info"
    assert {name.split("/")[0] for name in names} == {"lti_tool", "lti_tool_plugins", dist_info}
    for name in (
        # The French catalogue, compiled by the build (never committed: docs/decisions/0019).
        "lti_tool/translations/fr_CA/LC_MESSAGES/messages.mo",
        # What `flask db upgrade` needs from any folder (decision 0010).
        "lti_tool/migrations/alembic.ini",
        "lti_tool/migrations/env.py",
        "lti_tool/migrations/script.py.mako",
        # Plugin authors type-check against lti_tool.plugin_api (PEP 561): without the marker
        # mypy skips the installed package ("missing library stubs or py.typed marker").
        "lti_tool/py.typed",
        "lti_tool_plugins/py.typed",
    ):
        assert name in names, f"{name} is not in the wheel"
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", ".orig"))]
    # The built-ins use the same door as any plugin: this distribution's own entry points.
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    for plugin in BUILT_IN_PLUGINS:
        assert f"{plugin} = lti_tool_plugins." in entry_points, entry_points

    with tarfile.open(sdist) as archive:
        top = f"p3_workshop_lti-{lti_tool.__version__}/"
        in_sdist = {member.name.removeprefix(top) for member in archive.getmembers()}
    # The suite and the benchmarks live in the repository only (setuptools adds tests/test*.py
    # to an sdist unless MANIFEST.in prunes them: a third of the suite, without its conftest).
    leaked = sorted(n for n in in_sdist if n.startswith(("tests", "benchmarks", "scripts")))
    assert not leaked, f"in the sdist: {leaked}"
    assert not [n for n in in_sdist if n.endswith(".mo")]  # the wheel compiles its own
    for name in ("README.md", "CHANGELOG.md", "babel.cfg", "setup.py", "pyproject.toml", "docs/deploy.md"):
        assert name in in_sdist, f"{name} is not in the sdist"
    assert "lti_tool/translations/fr_CA/LC_MESSAGES/messages.po" in in_sdist


@pytest.mark.slow
def test_the_wheel_installs_and_runs_from_an_empty_folder(
    tmp_path: Path, database_url: str, release: tuple[Path, Path]
) -> None:
    # 1. The wheel built from the sdist (the test above checks what they hold).
    wheel = release[1]

    # 2. A fresh virtualenv with the wheel and its declared dependencies only.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, dict(os.environ))
    extras = "serve,postgres" if database_url.startswith("postgresql") else "serve"
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]  # no pip in it: faster
    # --no-compile: byte-compiling every installed module up front doubled the install's CPU;
    # Python compiles what the commands below import, as it would on a server.
    _run([*pip, "install", "--quiet", "--no-compile", f"{wheel}[{extras}]"], tmp_path, dict(os.environ))

    # 3. From an empty folder, with only the operator's settings in the environment.
    here = tmp_path / "empty"
    here.mkdir()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LTI_TOOL_", "PYTHON", "FLASK_"))}
    env.update(
        LTI_TOOL_DATABASE_URL=database_url,
        LTI_TOOL_BASE_URL=base_url,
        LTI_TOOL_DEMO="1",
        LTI_TOOL_LOG_FORMAT="json",
        LTI_TOOL_ADMIN_PASSWORD="an-operator-password",
        WEB_CONCURRENCY="1",
    )
    flask = [str(venv / "bin" / "flask"), "--app", "lti_tool"]
    where = _run([str(venv / "bin" / "python"), "-c", "import lti_tool; print(lti_tool.__file__)"], here, env)
    assert where.strip().startswith(str(venv)), where  # the installed copy, not the checkout

    assert _run([*flask, "version"], here, env).strip() == f"p3-workshop-lti {lti_tool.__version__}"
    assert "Running upgrade" in _run([*flask, "db", "upgrade"], here, env)
    assert "OK: p3-art-of-the-possible" in _run([*flask, "content", "check"], here, env)
    plugins = _run([*flask, "plugins", "list"], here, env)
    for name in BUILT_IN_PLUGINS:
        assert any(name in line and "available" in line for line in plugins.splitlines()), plugins
    _run([*flask, "demo", "setup"], here, env)
    _run([*flask, "keys", "rotate"], here, env)
    checked = _run([*flask, "check"], here, env)  # exit 0: nothing stops the tool from working
    assert "ERROR" not in checked, checked
    _run([*flask, "deploy", "files", "deploy"], here, env)
    assert (here / "deploy" / "gunicorn.conf.py").is_file()
    assert (here / "deploy" / "systemd" / "p3-workshop-web.service").is_file()

    # A misspelt setting stops the installed tool too, naming the closest known one.
    typo = subprocess.run(
        [*flask, "version"],
        cwd=here,
        env={**env, "LTI_TOOL_GRADES_PASSBAK": "x"},
        capture_output=True,
        text=True,
    )
    assert typo.returncode != 0 and "did you mean LTI_TOOL_GRADES_PASSBACK?" in typo.stderr

    # 4. gunicorn with the shipped settings: JWKS, health check, demo page, access log.
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(venv / "bin" / "gunicorn"),
                "-c",
                "python:lti_tool.deploy.gunicorn_conf",
                "-b",
                f"127.0.0.1:{port}",
            ],
            cwd=here,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        health = _wait_for(f"{base_url}/healthz?token=never-logged", server, log_path)
        assert health.json() == {"status": "ok"} and health.headers["X-Request-Id"]
        keys = requests.get(f"{base_url}/lti/jwks", timeout=10).json()["keys"]
        assert keys and keys[0]["kty"] == "RSA"
        demo = requests.get(base_url.replace("127.0.0.1", "localhost") + "/demo/", timeout=10)
        assert demo.status_code == 200 and "Ada" in demo.text
        home = requests.get(f"{base_url}/", timeout=10)
        assert home.status_code == 200 and "</html>" in home.text
        french = requests.get(f"{base_url}/", headers={"Accept-Language": "fr-CA"}, timeout=10)
        assert '<html lang="fr-CA">' in french.text and "Passer au contenu" in french.text
        assert requests.get(f"{base_url}/static/tool.css", timeout=10).status_code == 200
        docs = requests.get(f"{base_url}/docs/grades.md", timeout=10)  # the docs ship in the wheel
        assert docs.status_code == 200 and "<h1" in docs.text and "gradebook" in docs.text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    logged = log_path.read_text()
    access = [line for line in logged.splitlines() if '"gunicorn.access"' in line]
    assert any(f'"request_id": "{health.headers["X-Request-Id"]}"' in line for line in access), logged
    assert "never-logged" not in logged  # the access log leaves query strings out


def _clone_of_the_checkout(dest: Path) -> Path:
    """The files a clone would hold (tracked, and new ones not ignored), copied: the build writes
    its egg-info beside the sources, and the checkout is where other tests (other pytest-xdist
    workers) read the package's entry points from."""
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, names.split("\0")):
        if os.path.lexists(ROOT / name):  # not deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name, follow_symlinks=False)  # links stay links
    return dest


def _wait_for(url: str, server: subprocess.Popen[bytes], log_path: Path) -> requests.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn stopped:\n{log_path.read_text()[-3000:]}"
        try:
            return requests.get(url, timeout=5)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def _every_source_file_is_in_the_wheel(wheel: Path) -> None:
    """Each tracked file of the packages (code and data) is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "lti_tool", "plugins/lti_tool_plugins"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(tracked) > 100
    expected = {name.removeprefix("plugins/") for name in tracked if not (ROOT / name).is_dir()}
    # lti_tool/docs links to docs/ (decision 0021): the wheel holds the files it points at.
    linked = [name for name in tracked if (ROOT / name).is_symlink() and (ROOT / name).is_dir()]
    assert linked == ["lti_tool/docs"]
    expected |= {
        f"lti_tool/docs/{p.relative_to(ROOT / 'docs').as_posix()}" for p in (ROOT / "docs").rglob("*.md")
    }
    missing = sorted(expected - names)
    assert not missing, f"left out of the wheel: {missing}"
