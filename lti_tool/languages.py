"""Which language a request is answered in, with Flask-Babel (dates, numbers, `<html lang>`).

Inside a launch: the person's own choice (the language switch) if they made one, else the
launch's locale (Moodle and Canvas send the user's, e.g. "fr-CA": any fr* is French). The launch
is found again from its token on every page, so every page of a launch follows it; no cookie.
Outside a launch (administration, registration, the tool's first page, an error before any
launch): the browser's Accept-Language. The CLI: the administrator's LANG.
See docs/decisions/0019-translations.md.
"""

from __future__ import annotations

from gettext import NullTranslations
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale, refresh
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect

from lti_tool import i18n


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_locale)
    # Templates translate through lti_tool.i18n like every other layer, so a `use(lang)`
    # block (a grade comment in the learner's language) reaches templates too.
    # Jinja's newstyle callables format the text themselves (`%(name)s`, `num`, escaping); a
    # literal percent sign in a template text is written `%%`.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations().gettext(message),
        lambda singular, plural, n: i18n.translations().ngettext(singular, plural, n),
        newstyle=True,
    )
    # `{% trans %}` blocks collapse their whitespace (babel.cfg extracts them the same way).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(html_lang=html_lang, current_language=i18n.language, _=_template_text)
    # Every page writes a moment one way: "2 Dec 2026, 9:30 PM UTC" / "le 2 déc. 2026 à 21 h 30 UTC".
    app.jinja_env.filters["date_time"] = i18n.date_time
    i18n.set_provider(_provide)


@pass_eval_context
def _template_text(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    """`_()` in templates: what Jinja's newstyle gettext does (the text safe, always formatted,
    its variables escaped), in one call instead of three (the i18n extension's `_` alias calls
    `gettext`, which calls the callable above): a page has ~40 texts, ~17 us each saved."""
    text = i18n.translations().gettext(message)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def current_language() -> str:
    """The language this request (or CLI command) is answered in: "en" or "fr"."""
    if not has_request_context():
        return i18n.terminal_language()
    if "lti_tool_language" not in g:  # once per request (and again when language_changed())
        launch = g.get("launch")
        g.lti_tool_language = (
            launch_language(launch)
            if launch is not None
            else i18n.language_of(request.accept_languages.best_match(["en", "fr"]))
        )
    return str(g.lti_tool_language)


def launch_language(launch: Any) -> str:
    """A launch's language: the person's own choice if they made one, else the launch's locale."""
    # Pages load the launch with its person (a joined load): no extra query. The launch request
    # itself (a new row, its person not loaded) only redirects: there the LMS locale is enough.
    loaded = "user" not in sa_inspect(launch).unloaded
    chosen = launch.user.language if loaded and launch.user is not None else ""
    return chosen if chosen in i18n.LANGUAGES else i18n.language_of(launch.locale)


def use_locale(locale: object) -> None:
    """Answer the rest of this request in a launch's locale or language (e.g. a refused launch
    whose id_token names one); nothing changes when there is none."""
    if has_request_context() and isinstance(locale, str) and locale.strip():
        g.lti_tool_language = locale if locale in i18n.LANGUAGES else i18n.language_of(locale)
        g.pop("lti_tool_catalogue", None)
        refresh()


def select_locale() -> str:
    return i18n.locale_of(current_language())


def language_changed() -> None:
    """Call when what decides the language changed during a request (a launch was found)."""
    if has_request_context():
        g.pop("lti_tool_language", None)
        g.pop("lti_tool_catalogue", None)
        refresh()


def html_lang() -> str:
    """The BCP 47 tag for `<html lang>`: "fr-CA" or "en"."""
    return str(get_locale() or "en").replace("_", "-")


def _provide() -> tuple[str, NullTranslations] | None:
    if not has_request_context():
        if not has_app_context():
            return None
        lang = current_language()
        return lang, i18n.catalogue(lang)
    # A page asks ~40 times (each text of its templates): kept on the request, dropped with
    # the language by language_changed().
    found: tuple[str, NullTranslations] | None = g.get("lti_tool_catalogue")
    if found is None:
        lang = current_language()
        found = g.lti_tool_catalogue = (lang, i18n.catalogue(lang))
    return found
