"""`flask content check`: validate the workshop YAML and the self-assessment's instrument files
(English and French) and name every problem's place.

Registered as a Flask plugin command (entry point `flask.commands`), so it works even when
broken content stops the app itself from starting.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from lti_tool.assessment.catalogue import CatalogueError
from lti_tool.assessment.instrument import (
    INSTRUMENTS_DIR,
    InstrumentError,
    default_instrument,
    load_instrument,
)
from lti_tool.i18n import gettext as _
from lti_tool.i18n import terminal_language, use
from lti_tool.plugin_api import SettingsError, validate_settings
from lti_tool.validation_messages import translated

from .bilingual import LANGUAGES
from .loader import (
    YAML_SUFFIXES,
    ContentError,
    default_content_dir,
    linkable_items,
    load_workshop,
    load_workshops,
)

content_cli = click.Group("content", help="The workshop content (YAML files).")


def _configured_dir() -> Path:
    # Read straight from the environment: the other settings need not be valid to check content.
    configured = os.environ.get("LTI_TOOL_CONTENT_DIR")
    return Path(configured) if configured else default_content_dir()


def _report(error: ContentError) -> None:
    for problem in error.problems:
        where = [error.file]
        if error.line is not None:
            where.append(_("line %(number)s", number=error.line))
        if problem.location():
            where.append(problem.location())
        # The fixed words in the administrator's language; file, place and detail as they are.
        click.echo(
            _("Error: %(where)s: %(problem)s", where=": ".join(where), problem=translated(problem.message)),
            err=True,
        )


@content_cli.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="The folder of workshop YAML files (default: LTI_TOOL_CONTENT_DIR, or the "
    "workshops shipped with the tool).",
)
def check(directory: Path | None) -> None:
    """Check every workshop file; each problem names its file, entry and field."""
    # No app here (broken content may stop it): the administrator's locale, as the other commands.
    with use(terminal_language()):
        _check(directory or _configured_dir())


def _check(directory: Path) -> None:
    if not directory.is_dir():
        click.echo(_("Error: %(folder)s is not a folder.", folder=directory), err=True)
        sys.exit(1)
    files = sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES)
    if not files:
        click.echo(_("Error: no workshop files (*.yaml) in %(folder)s.", folder=directory), err=True)
        sys.exit(1)
    problems = _check_instruments()
    problems += _check_catalogues() if not problems else 0
    for path in files:  # every file, so one run shows every broken file
        try:
            load_workshop(path)
        except ContentError as error:
            _report(error)
            problems += len(error.problems)
    if not problems:
        try:
            workshops = load_workshops(directory)  # checks across files (duplicate slugs)
        except ContentError as error:
            _report(error)
            problems += len(error.problems)
    if problems:
        click.echo(
            _("The content in %(folder)s has %(num)s problem(s) to fix.", folder=directory, num=problems),
            err=True,
        )
        sys.exit(1)
    for workshop in workshops.values():
        items = linkable_items(workshop)
        click.echo(
            _(
                "OK: %(slug)s (en, fr): %(sessions)s sessions, %(items)s items to link, "
                "%(entries)s bibliography entries.",
                slug=workshop.slug,
                sessions=len(workshop.sessions),
                items=len(items),
                entries=len(workshop.bibliography),
            )
        )


def _check_instruments() -> int:
    """Every instrument file shipped with the tool, in both languages: the number of problems."""
    problems = 0
    for path in sorted(INSTRUMENTS_DIR.glob("*.yaml")):
        try:
            instrument = load_instrument(path)
        except InstrumentError as error:
            for line in error.errors:
                click.echo(_("Error: %(problem)s", problem=line), err=True)
            problems += len(error.errors)
            continue
        click.echo(
            _(
                "OK: %(file)s (en, fr): %(id)s version %(version)s, %(statements)s statements in "
                "%(areas)s areas.",
                file=path.name,
                id=instrument.id,
                version=instrument.version,
                statements=len(instrument.statement_ids),
                areas=len(instrument.dimensions),
            )
        )
    return problems


def _check_catalogues() -> int:
    """The installed mechanism catalogues' own data (the built-in one's texts in both
    languages), read as the report reads them: the number of problems."""
    from lti_tool.plugin_manager import MECHANISM_CATALOGUES, PluginManager

    problems = 0
    for catalogue in PluginManager.from_entry_points((MECHANISM_CATALOGUES,)).available(MECHANISM_CATALOGUES):
        try:
            settings = validate_settings(type(catalogue), {})
        except SettingsError:
            continue  # it needs settings that only an activity gives: nothing to check here
        try:
            for lang in LANGUAGES:
                instrument = default_instrument(lang)
                catalogue.mechanisms(instrument, settings)
                catalogue.uncovered_notes(instrument, settings)
        except CatalogueError as error:
            for line in error.errors:
                click.echo(
                    _("Error: mechanism catalogue %(name)s: %(problem)s", name=catalogue.name, problem=line),
                    err=True,
                )
            problems += len(error.errors)
    return problems
