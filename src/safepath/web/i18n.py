"""Translations from gettext ``.po`` catalogs (read with Babel at start, no compile step) and the
request's language: ``?lang=`` (remembered in a cookie), then the cookie, then Accept-Language."""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache, partial
from importlib.resources import files
from typing import Any

from babel.messages.pofile import read_po
from starlette.requests import Request

from safepath.errors import Reader, reading_with

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar")
RTL = frozenset({"ar"})
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
COOKIE = "safepath_lang"

current_language: ContextVar[str] = ContextVar("current_language", default="en")


@lru_cache(maxsize=len(LANGUAGES))
def messages(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    path = files("safepath.web") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(message: str) -> str:
    return messages(current_language.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def negotiate(request: Request, user_language: str | None = None) -> tuple[str, bool]:
    """The language for this request, and whether it was chosen explicitly (to remember it):
    ``?lang=``, the remembered choice, the signed-in user's language, then the browser's."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    if user_language in LANGUAGES:
        return str(user_language), False
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code, False
    return "en", False


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang`` outside a page render (e.g. when building form errors)."""
    return messages(lang).get(message, message)


def reader(lang: str) -> Reader | None:
    """How error messages read in ``lang`` (None: English, as raised)."""
    return None if lang == "en" else partial(translate, lang=lang)


class MessageLanguage:
    """Error messages (API bodies, error pages) in the language negotiated for the request:
    ``?lang=``, the remembered choice, then Accept-Language. A plain ASGI middleware; a page that
    knows its signed-in user's language reads its refusals in that one (``Page.attempt``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with reading_with(reader(negotiate(Request(scope))[0])):
            await self.app(scope, receive, send)
