"""Every main page, on the demo, in French, Spanish and Arabic: no English catalogue string and no
English model or framework label is left where the language has its own words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.browser.pages import MAIN_PAGES

from safepath.demo import load_demo
from safepath.demo.cases import load_demo_cases
from safepath.privacy.demo import demo_password, ensure_demo_users
from safepath.risk import list_models, load_model
from safepath.risk.area_profile import shipped_area_profile
from safepath.store.db import session_scope
from safepath.web.i18n import messages
from safepath.web.labels import area_column, area_value, english_labels, english_texts

TRANSLATED = ("fr", "es", "ar")
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "safepath" / "web" / "templates"


class _Text(HTMLParser):
    """The visible words of a page: not scripts, styles, attribute values, nor ``<code>`` (codes
    and identifiers, the same in every language)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def english_left(nodes: list[str], lang: str) -> list[str]:
    """The English strings (catalogue msgids, model labels) that ``lang`` translates otherwise and
    that appear on the page: a whole text node, or inside one when long enough to be unambiguous."""
    labels = english_labels(lang)  # a label that reads the same in the language is not English left
    english = {
        msgid: text
        for msgid, text in messages(lang).items()
        if text != msgid and "%(" not in msgid and "{" not in msgid and labels.get(msgid) != msgid
    }
    english |= {en: text for en, text in labels.items() if text != en}
    english |= {en: "" for en in english_texts() if labels.get(en) != en}  # untranslated too
    catalogue = messages(lang)  # a template string another change added without its translation
    english |= {m: "" for m in template_msgids() if m not in catalogue and "%(" not in m}
    english |= {
        code: ""
        for code in area_codes()
        if area_value(code, lang) != code or area_column(code, lang) != code
    }
    whole = set(english)
    long = [e for e in english if len(e) >= 24 and " " in e]
    found: set[str] = set()
    for node in nodes:
        stripped = node.strip(" :·–-,.()")
        if stripped in whole:
            found.add(stripped)
            continue
        found.update(e for e in long if e in node)
    return sorted(found)


@lru_cache(maxsize=1)
def template_msgids() -> frozenset[str]:
    return frozenset(
        str(msg[2])
        for msg in extract_from_dir(
            str(TEMPLATES),
            method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        )
        if isinstance(msg[2], str)
    )


def area_codes() -> set[str]:
    """The area-profile columns and coded values the shipped models read (shown on area pages)."""
    codes: set[str] = set()
    for name in list_models():
        if shipped_area_profile(name) is None:  # its indicators read the survey, not a profile
            continue
        for ind in load_model(name).indicators:
            if ind.level in ("community", "structural") and ind.field:
                codes.add(ind.field)
                codes |= {str(k) for k in (ind.score.map or {})}
    return codes


# pages beyond the main ones that show model and directory labels: an area's profile (its
# community and structural data), the advocacy log, the partner's inbox (urgencies, services)
MORE_PAGES: list[tuple[str, str | None]] = [
    ("/areas/XM0102", "analyst"),
    ("/advocacy", "analyst"),
    ("/projects", "analyst"),
    ("/analysis/rounds", "analyst"),
    ("/complaints/report", "analyst"),
    ("/inbox", "partner"),
    ("/complaints", "psea"),
    ("/audit/verify", "auditor"),
    ("/account", "auditor"),
]


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    mp = pytest.MonkeyPatch()
    data_dir = tmp_path_factory.mktemp("demo-pages")
    mp.setenv("SAFEPATH_DATA_DIR", str(data_dir))
    mp.setenv("SAFEPATH_ENVIRONMENT", "test")
    mp.delenv("SAFEPATH_DATABASE_URL", raising=False)
    from safepath.settings import reset_settings
    from safepath.store import migrate
    from safepath.store.db import dispose_engines

    reset_settings()
    dispose_engines()
    migrate.upgrade()
    load_demo()
    with session_scope() as session:
        ensure_demo_users(session)
    with session_scope() as session:
        load_demo_cases(session, n=40)
    with TestClient(shared_app()) as client:
        yield client
    dispose_engines()
    reset_settings()
    mp.undo()


def _sign_in(client: TestClient, user: str) -> None:
    client.cookies.clear()
    html = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    r = client.post(
        "/login",
        data={"username": user, "password": demo_password(user), "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-500:]


def _case_path(client: TestClient) -> str:
    html = client.get("/cases", params={"sort": "-phase"}).text
    found = re.search(r'id="results".*?<tbody.*?href="(/cases/[^"]+)"', html, re.S)
    assert found, html[-2000:]
    return found.group(1)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_main_page_is_in_the_language(demo_client: TestClient, lang: str) -> None:
    client = demo_client
    problems: dict[str, list[str]] = {}
    current: str | None = ""
    for path, user in [*MAIN_PAGES, *MORE_PAGES]:
        if user != current:
            if user:
                _sign_in(client, user)
            else:
                client.cookies.clear()
            current = user
        target = path.replace("/cases/{case}", _case_path(client)) if "{case}" in path else path
        r = client.get(target, params={"lang": lang})
        assert r.status_code == 200, (target, r.status_code)
        left = english_left(visible_text(r.text), lang)
        if left:
            problems[path] = left
    assert not problems, f"{lang}: English left on pages (add the translation): {problems}"
