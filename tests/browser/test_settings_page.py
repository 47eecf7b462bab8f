"""The settings page explains itself (issue 18), in Chromium: only the chosen model's fields show
(CSS only), the example catalogue downloaded from the page is accepted unchanged, a broken one
is refused with the problems listed first, with their lines; axe checks each state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, open_activity, place_items, tool_at


def serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in run_axe(page, page.frame(name="tool-frame"))]


def open_settings(app: Flask, page: Any) -> Any:
    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT_TITLE)
    frame.get_by_role("link", name="Change the settings").click()
    frame.get_by_role("heading", level=1, name="Self-assessment settings").wait_for()
    return frame


def test_teacher_uploads_the_example_catalogue_and_then_a_broken_one(
    app: Flask, page: Any, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_settings(app, page)

    # Only the chosen scoring model's fields: no script needed, the page's CSS does it.
    assert frame.get_by_label("Strength from").is_visible()
    assert not frame.get_by_label("Performance cut-off").is_visible()
    frame.get_by_role("radio", name="Importance and performance").check()
    assert frame.get_by_label("Performance cut-off").is_visible()
    assert not frame.get_by_label("Strength from").is_visible()
    frame.get_by_role("radio", name="Strength, borderline, concern").check()

    frame.get_by_role("checkbox", name="Uploaded mechanisms").check()
    frame.get_by_text("What the file contains, and example files").click()
    assert frame.get_by_role("cell", name="low, medium, high").is_visible()
    assert serious(page) == []
    with page.expect_download() as download:
        frame.get_by_role("link", name="Example catalogue (CSV)").click()
    example = tmp_path / "example-catalogue.csv"
    download.value.save_as(example)
    assert example.read_text(encoding="utf-8").startswith("id,title,summary,areas,")

    frame.locator("#catalogue-uploaded-text-file").set_input_files(str(example))
    frame.get_by_role("button", name="Save settings").click()
    saved = frame.locator("#settings-saved")
    saved.wait_for()
    assert "“Uploaded mechanisms” (3 mechanisms)" in saved.inner_text()
    assert serious(page) == []

    broken = tmp_path / "broken.csv"
    lines = example.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",medium,", ",middling,")  # the second mechanism's effort
    lines.append(lines[1])  # the first mechanism again: a duplicate id
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = open_settings(app, page)
    frame.locator("#catalogue-uploaded-text-file").set_input_files(str(broken))
    frame.get_by_role("button", name="Save settings").click()
    summary = frame.get_by_role("alert").filter(has_text="Nothing was saved")
    summary.wait_for()
    page.frame(name="tool-frame").wait_for_function("() => document.readyState === 'complete'")  # scripts ran
    problems = summary.get_by_role("listitem").all_inner_texts()
    assert any(p.startswith("Uploaded mechanisms: your file: Line 3, column 5 (“effort”)") for p in problems)
    assert any("Line 5, column 1 (“id”)" in p and "already used on line 2" in p for p in problems)
    tool = page.frame(name="tool-frame")
    top = frame.locator("#settings-problems").bounding_box()["y"] - tool.frame_element().bounding_box()["y"]
    assert top < tool.evaluate("window.innerHeight") / 2  # at the top, not 1,100 px below
    summary.get_by_role("link").first.click()  # each problem leads to its field
    assert tool.evaluate("document.activeElement.id") == "catalogue-uploaded-text"
    assert serious(page) == []


def test_teacher_gives_a_link_for_a_reading_and_a_learner_sees_it(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Ada Okafor", "P3 Workshop")
    frame.get_by_role("navigation", name="Workshop").get_by_role("link", name="Links to readings").click()
    frame.get_by_role("heading", level=1, name="Links to readings").wait_for()
    assert serious(page) == []
    first = frame.locator(".reading-links > li").filter(has_text="The workshop gives no link.").first
    title = first.locator("cite").inner_text()
    first.get_by_label("Your link").fill("ftp://files.example.org/reader.pdf")  # a URL, not a web page
    frame.get_by_role("button", name="Save links and notes").click()
    frame.get_by_role("alert").filter(has_text="Nothing was saved").wait_for()
    assert serious(page) == []
    frame.get_by_role("alert").get_by_role("link").first.click()
    field = frame.locator("input[aria-invalid=true]")
    field.fill("https://library.example.edu/course-reader.pdf")
    frame.get_by_role("button", name="Save links and notes").click()
    frame.get_by_role("status").filter(has_text="learners in this course now see").wait_for()

    learner = open_activity(app, page, "Ben Tremblay", "P3 Workshop")
    learner.get_by_role("navigation", name="Workshop").get_by_role("link", name="Bibliography").click()
    tool_at(page, "**/bibliography?**")  # the workshop's page, left, links the reading too
    link = learner.get_by_role("link", name=title).first
    assert link.get_attribute("href") == "https://library.example.edu/course-reader.pdf"
    assert serious(page) == []
