"""Playwright driving Debian's Chromium (/usr/bin/chromium). Skipped, saying why, where
either is missing. `playwright install` cannot download browsers here, by design."""

from __future__ import annotations

import json
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


def _args(block_third_party_cookies: bool = False) -> list[str]:
    # Every frame in its page's process (decision 0049). The LMS page, its sign-in and the tool
    # are two sites, and a launch moves the tool's frame between processes four times (LMS form,
    # tool, LMS sign-in, tool): under CPU contention Playwright at times missed one of those
    # swaps and lost the frame (its URL stuck at the LMS sign-in while Chromium showed the tool's
    # page), a 60 s timeout in one test of a few. Cookies, storage and postMessage keep their
    # per-site rules: those are not processes.
    args = [*ARGS, "--disable-site-isolation-trials"]
    if block_third_party_cookies:
        args.append("--test-third-party-cookie-phaseout")
    return args


def launch_chromium(playwright: Any, block_third_party_cookies: bool = False) -> Any:
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=_args(block_third_party_cookies)
    )


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
    yield from _page_in(browser.new_context())


def _page_in(context: Any) -> Iterator[Any]:
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
def storing_page(playwright_instance: Any, tmp_path: Path) -> Iterator[Any]:
    """A page whose cross-site frames may use their (partitioned) storage, as in a browser's
    ordinary window: Playwright's contexts, like a private window, refuse it to the tool's frame
    (localStorage throws). A profile of its own, so a Chromium of its own: use sparingly."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    preferences = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
    context = playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=_args()
    )
    try:
        yield from _page_in(context)
    finally:
        context.close()


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed browser test's report says where each page's frames were, as Playwright and as
    Chromium see them: a lost frame shows as Playwright's URL behind Chromium's (decision 0049)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        fixtures = getattr(item, "funcargs", {})
        browsers = [fixtures.get(name) for name in ("chromium", "chromium_no_3p_cookies")]
        lines = [line for browser in browsers if browser is not None for line in _frames_of(browser)]
        report.sections.append(("frames at failure", "\n".join(lines)))


def _frames_of(browser: Any) -> list[str]:
    lines = []
    for context in browser.contexts:
        for page in context.pages:
            lines.append(f"page {page.url}")
            lines += [f"  Playwright's frame {f.name or '(main)'}: {f.url[:150]}" for f in page.frames]
            try:
                session = context.new_cdp_session(page)
                targets = session.send("Target.getTargets")["targetInfos"]
                session.detach()
                lines += [
                    f"  Chromium's {t['type']}: {t['url'][:150]}"
                    for t in targets
                    if t["type"] != "browser_ui"
                ]
            except Exception as error:  # the report must not fail on its diagnostics
                lines.append(f"  Chromium's targets unavailable: {error}")
    return lines
