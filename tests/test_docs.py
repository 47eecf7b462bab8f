"""/docs/: the documentation of the installed version, linked wherever a page names a doc."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_doc_is_served_as_a_page_with_its_title(tool_app: Flask) -> None:
    client = tool_app.test_client()
    names = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert "grades.md" in names and "decisions/0008-grade-outbox.md" in names
    for name in names:
        page = client.get(f"/docs/{name}")
        assert page.status_code == 200, name
        heading = next(line[2:] for line in (DOCS / name).read_text().splitlines() if line.startswith("# "))
        assert "<h1" in page.text and "<title>" in page.text, name
        assert heading.split("`")[0].strip()[:20] in page.text, name
    grades = client.get("/docs/grades.md").text
    assert "<table>" in grades or "<ul>" in grades  # rendered, not shown as Markdown source
    index = client.get("/docs/").text
    assert 'href="/docs/install-moodle.md"' in index and 'href="/docs/deploy.md"' in index


@pytest.mark.parametrize(
    "path",
    ["/docs/nope.md", "/docs/../pyproject.toml", "/docs/%2e%2e/README.md", "/docs/decisions/../../x.md"],
)
def test_only_docs_are_served(tool_app: Flask, path: str) -> None:
    page = tool_app.test_client().get(path)
    assert page.status_code == 404 and "/docs/" in page.text


def test_links_in_the_docs_between_docs_work(tool_app: Flask) -> None:
    client = tool_app.test_client()
    checked = 0
    for path in sorted(DOCS.glob("*.md")):
        page = client.get(f"/docs/{path.name}").text
        for target in re.findall(r'href="/docs/([a-z0-9][a-z0-9/-]*\.md)(?:#[^"]*)?"', page):
            assert client.get(f"/docs/{target}").status_code == 200, (path.name, target)
            checked += 1
    assert checked >= 5  # "docs/settings.md" in a doc's text is a link


def test_a_registration_refused_links_the_install_docs(tool_app: Flask) -> None:
    tool_app.config["REGISTRATION_MODE"] = "off"
    page = tool_app.test_client().get("/lti/register?openid_configuration=https://lms.example/c")
    assert page.status_code == 403
    base = tool_app.config["BASE_URL"]
    assert f'<a href="{base}/docs/install-moodle.md"' in page.text
    assert f'<a href="{base}/docs/install-canvas.md"' in page.text
