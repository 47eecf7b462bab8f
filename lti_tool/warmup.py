"""Work a web process would otherwise do on its first requests, done before it takes any.

A worker that has just started compiles each template on its first use and parses the
instrument (YAML, per language) on the first launch into the self-assessment: ~50-70 ms of CPU
that the first learners wait for, and under a class arriving at once (``make load``) the
first launches of each worker took 300-800 ms. gunicorn calls ``warm_up`` in each worker before
it accepts connections (``post_worker_init`` in lti_tool/deploy/gunicorn_conf.py). Tests and
the CLI do not: they create many apps, each using a few templates.
"""

from __future__ import annotations

import logging
import time

from flask import Flask

from lti_tool import i18n
from lti_tool.assessment.instrument import instruments_by_version

log = logging.getLogger("lti_tool.warmup")


def warm_up(app: Flask) -> int:
    """Compile every HTML template, parse the shipped instruments and load the translation
    catalogues, in every language. Returns the number of templates compiled."""
    started = time.perf_counter()
    names = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        app.jinja_env.get_template(name)  # compiled into the environment's cache
    for lang in i18n.LANGUAGES:
        i18n.catalogue(lang)
        instruments_by_version(lang=lang)
    log.info("warmed up: %d templates in %.0f ms", len(names), (time.perf_counter() - started) * 1000)
    return len(names)
