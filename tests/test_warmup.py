"""A web worker warms up before its first request (lti_tool/warmup.py, called by gunicorn's
post_worker_init): the first launches of a class compile no template and parse no instrument."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Flask

from lti_tool.assessment import instrument
from lti_tool.deploy import gunicorn_conf
from tests.support.independent_platform import IndependentPlatform

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def compiled(app: Flask) -> set[Any]:
    cache = app.jinja_env.cache
    return set(cache.keys()) if cache is not None else set()


def launch_both_ways(app: Flask, platform: IndependentPlatform) -> None:
    """A learner into the workshop, another into the self-assessment, in French."""
    for sub, claims in (
        ("learner-1", {}),
        ("learner-2", {CUSTOM: {"p3_item": "partnership-assessment"}, "locale": "fr-CA"}),
    ):
        client, token, state = platform.logged_in(
            app, app.config["BASE_URL"] + "/lti/launch", sub=sub, **claims
        )
        assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200


def test_after_the_warm_up_a_first_launch_compiles_and_parses_nothing(app: Flask) -> None:
    platform = IndependentPlatform()
    try:
        platform.register_by_cli(app)
        instrument._load_versions.cache_clear()
        assert compiled(app) == set()

        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))  # what gunicorn calls in a worker
        templates = compiled(app)
        parsed = instrument._load_versions.cache_info().misses
        assert len(templates) > 30 and parsed >= 2  # every page; the instrument in English and French

        launch_both_ways(app, platform)
        assert compiled(app) == templates
        assert instrument._load_versions.cache_info().misses == parsed
    finally:
        platform.stop()


def test_without_it_the_first_launches_do_that_work(app: Flask) -> None:
    """The other side of the test above: the work it saves is real."""
    platform = IndependentPlatform()
    try:
        platform.register_by_cli(app)
        instrument._load_versions.cache_clear()
        launch_both_ways(app, platform)
        assert compiled(app) and instrument._load_versions.cache_info().misses >= 1
    finally:
        platform.stop()
