"""The Deep Linking picker's items are distinct at a glance (issue 12): one graded item, marked
as such, every title and description different, axe-clean inside the LMS iframe and at 320px."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, open_course


def test_picker_items_are_distinct_and_one_is_graded(app: Flask, page: Any) -> None:
    open_course(app, page, "Ada Okafor")
    page.get_by_role("link", name="Add content from P3 Workshop").click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("heading", level=1, name="Add workshop content to your course").wait_for()
    items = frame.locator(".picker-item")
    count = items.count()
    assert count == 8  # the workshop, six sessions, the graded assignment
    labels = [items.nth(i).locator(".picker-choice label").inner_text().strip() for i in range(count)]
    texts = [items.nth(i).locator(".hint").first.inner_text().strip() for i in range(count)]
    assert len({label.casefold() for label in labels}) == count, labels
    assert len(set(texts)) == count, texts
    # Exactly one item says "Graded", and it is the one with the points field.
    graded = [labels[i] for i in range(count) if items.nth(i).locator(".badge-graded").is_visible()]
    assert graded == [ASSESSMENT_TITLE]
    assert frame.get_by_role("spinbutton").count() == 1
    assert frame.get_by_role("spinbutton", name=f"Maximum points for {ASSESSMENT_TITLE}").is_visible()
    assert all(items.nth(i).locator(".badge-plain").inner_text() == "Not graded" for i in range(count - 1))
    # Not graded items say so in words too (not by colour alone), and the graded one says what it makes.
    assert "One gradebook column" in texts[-1] and all("Not graded." in t for t in texts[:-1])

    tool = page.frame(name="tool-frame")
    found = {"picker": [f"{v['id']}: {v['help']}" for v in run_axe(page, tool)]}
    page.set_viewport_size({"width": 352, "height": 800})  # a 320px iframe
    overflow = tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    found["picker at 320px"] = [f"{v['id']}: {v['help']}" for v in run_axe(page, tool)]
    assert found == {"picker": [], "picker at 320px": []}, found
