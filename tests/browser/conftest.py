"""Playwright driving Debian's Chromium (/usr/bin/chromium). Skipped, saying why, where
either is missing. `playwright install` cannot download browsers here, by design."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("LTI_TOOL_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            # Under pytest-xdist (--dist loadgroup) all on one worker, one after the other: one
            # Chromium at a time, beside the other worker's tests (tests/README.md, "Time").
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: browser tests skipped (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        yield playwright


def launch_chromium(playwright: Any, block_third_party_cookies: bool = False) -> Any:
    args = list(ARGS)
    if block_third_party_cookies:
        args.append("--test-third-party-cookie-phaseout")
        # Every frame in its page's process. The LMS page, its SSO frame and the tool are three
        # sites, and a launch moves the tool's frame between them (form on the LMS, tool, SSO,
        # LMS, tool): out of process, Playwright at times missed one of those moves and lost the
        # frame (the page was there, drawn; the locator waited on a frame stuck at an old URL).
        # Cookies, storage and postMessage keep their per-site rules: those are not processes.
        args.append("--disable-site-isolation-trials")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)


@pytest.fixture(scope="session")
def chromium(playwright_instance: Any) -> Iterator[Any]:
    browser = launch_chromium(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def chromium_no_3p_cookies(playwright_instance: Any) -> Iterator[Any]:
    browser = launch_chromium(playwright_instance, block_third_party_cookies=True)
    yield browser
    browser.close()


def _page_of(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    # A wait, not a timing: under `make test -n 2` the other worker (a wheel build, a key-set
    # drip) can starve the live servers for several seconds; 15 s flaked in CI, 60 s does not
    # make a broken page pass (it still fails, only later).
    page.set_default_timeout(60000)
    refused: list[str] = []  # scripts the Content Security Policy stopped: a broken page
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    yield from _page_of(chromium)


@pytest.fixture
def blocked_page(chromium_no_3p_cookies: Any) -> Iterator[Any]:
    """A page in a Chromium that blocks third-party cookies."""
    yield from _page_of(chromium_no_3p_cookies)


def run_axe(page: Any, frame: Any = None) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on a page (or frame)."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm install axe-core): accessibility check skipped")
    target = frame or page
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a script
    # tag added to the page would be refused, as it should be).
    target.evaluate(AXE.read_text(encoding="utf-8"))
    result = target.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
