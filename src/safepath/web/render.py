"""The Jinja2 environment (autoescaping on, gettext installed) and page rendering."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from safepath import __version__
from safepath.errors import localise
from safepath.framework import catalogue, countries
from safepath.web import menu
from safepath.web.i18n import (
    COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    RTL,
    current_language,
    gettext,
    negotiate,
    ngettext,
    reader,
)
from safepath.web.labels import area_column, area_value, label_in


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("safepath.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_in_language,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda v: format_decimal(v, locale=current_language.get())
    env.filters["date"] = lambda v: format_date(v, format="medium", locale=current_language.get())
    env.filters["decimal"] = lambda v, digits=2: format_decimal(
        round(float(v), digits), format="#,##0." + "0" * digits, locale=current_language.get()
    )
    # a stored or collected English message (an import's problems) in the reader's language
    env.filters["message"] = lambda v: localise(str(v), reader(current_language.get()))
    env.globals["area_column"] = lambda name: area_column(name, current_language.get())
    env.globals["area_value"] = lambda value: area_value(value, current_language.get())
    env.globals["label"] = catalogue_label
    env.globals["phase"] = phase_label
    env.globals["catalogue_rows"] = catalogue_rows
    env.globals["menu_for"] = menu.items_for
    env.globals["countries"] = lambda: countries.choices(current_language.get())
    return env


def _in_language(value: Any) -> Any:
    """Every printed plain string that is an English label of a data file (an indicator, an
    area-profile value, a status) comes out in the page's language, whichever view carried it;
    translated text (``_()`` gives markup) and other values pass as they are."""
    if type(value) is str and value:
        return label_in(value, current_language.get())
    return value


def catalogue_label(list_name: str, code: str | None) -> str:
    """A catalogue code in the reader's language (the code itself if unknown)."""
    if not code:
        return ""
    for row in catalogue_rows(list_name):
        if row["code"] == code:
            return str(row["label"])
    return code


def phase_label(value: int | None) -> str:
    """A severity phase by its name in the reader's language, with its number: "Extreme (4)"."""
    if value is None:
        return ""
    for row in catalogue_rows("severity_phases"):
        if row.get("value") == value:
            return f"{row['label']} ({format_decimal(value, locale=current_language.get())})"
    return str(value)


def catalogue_rows(list_name: str) -> list[dict[str, Any]]:
    return _rows(list_name, current_language.get())


@lru_cache(maxsize=256)
def _rows(list_name: str, lang: str) -> list[dict[str, Any]]:
    return list(catalogue().get(list_name).rows(lang))


def render(
    request: Request,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    user_language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    lang, explicit = negotiate(request, user_language)
    token = current_language.set(lang)
    try:
        html = (
            environment()
            .get_template(template)
            .render(
                request=request,
                lang=lang,
                dir="rtl" if lang in RTL else "ltr",
                languages=LANGUAGES,
                # the language links keep the page's other parameters (filters, sort, page)
                keep_query=urlencode(
                    [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
                ),
                language_names=LANGUAGE_NAMES,
                version=__version__,
                **context,
            )
        )
    finally:
        current_language.reset(token)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if explicit:
        response.set_cookie(
            COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def render_error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    # the HTTP layer's own refusals ("Not Found") come in English: read them in the page's language
    text = localise(message, reader(negotiate(request)[0]))
    return render(
        request, "error.html", status=status, headers=headers, status_code=status, message=text
    )
