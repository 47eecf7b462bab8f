"""`flask content check` and the start-up check: errors name the file, the entry and the field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskCliRunner

from lti_tool import create_app
from lti_tool.content import ContentError
from lti_tool.content.cli import content_cli

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def bad_dir(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    for name in names:
        shutil.copy(DATA / name, folder / name)
    return folder


def test_check_passes_on_the_shipped_workshop(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: p3-art-of-the-possible (en, fr): 6 sessions" in result.output


def test_check_names_file_entry_and_field_of_every_problem(tmp_path: Path) -> None:
    folder = bad_dir(
        tmp_path,
        "minimal.yaml",
        "missing_title.yaml",
        "bad_url.yaml",
        "unknown_field.yaml",
        "syntax_error.yaml",
    )
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "Error: missing_title.yaml: sessions[0].additional_readings[1].title: "
        "Missing data for required field."
    ) in lines
    assert "Error: bad_url.yaml: sessions[2].required_readings[0].url: Not a valid URL." in lines
    assert "Error: unknown_field.yaml: assignment.max_pionts: Unknown field." in lines
    syntax = "Error: syntax_error.yaml: line 4: YAML syntax error"
    assert any(line.startswith(syntax) for line in lines)
    assert "has 4 problem(s) to fix" in result.output
    assert "minimal.yaml" not in result.output  # the valid file is not blamed


def test_check_reports_duplicate_slugs_across_files(tmp_path: Path) -> None:
    folder = bad_dir(tmp_path, "minimal.yaml")
    shutil.copy(DATA / "minimal.yaml", folder / "zz-copy.yaml")
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "Error: zz-copy.yaml: slug: Duplicate workshop slug" in result.output


def test_check_works_from_the_flask_command_even_when_start_up_fails(tmp_path: Path) -> None:
    folder = bad_dir(tmp_path, "missing_title.yaml")
    env = {
        **os.environ,
        "LTI_TOOL_CONTENT_DIR": str(folder),
        "LTI_TOOL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_tool", "content", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "missing_title.yaml: sessions[0].additional_readings[1].title: Missing data for required field."
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_start_up_fails_with_the_content_error(tmp_path: Path) -> None:
    folder = bad_dir(tmp_path, "bad_url.yaml")
    with pytest.raises(ContentError) as info:
        create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                "CONTENT_DIR": str(folder),
            }
        )
    assert str(info.value) == "bad_url.yaml: sessions[2].required_readings[0].url: Not a valid URL."


def test_start_up_loads_the_workshops(app: Flask) -> None:
    workshops = app.extensions["lti_tool.workshops"]
    assert list(workshops) == ["p3-art-of-the-possible"]
    item_ids = [item.item_id for item in app.extensions["lti_tool.items"].items()]
    assert item_ids[0] == "p3-art-of-the-possible"
    assert item_ids[-1] == "partnership-assessment"
