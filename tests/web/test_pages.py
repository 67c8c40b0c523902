"""Home and catalogue pages in four languages; Arabic right-to-left; language remembered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient
from tests.apps import shared_app

from safepath.web.i18n import LANGUAGES, messages

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "safepath" / "web" / "templates"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(shared_app()) as c:
        yield c


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_in_each_language(client: TestClient, lang: str) -> None:
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in r.text
    expected = {"en": "Catalogue", "fr": "Catalogue", "es": "Catálogo", "ar": "الفهرس"}[lang]
    assert expected in r.text


def test_language_choice_is_remembered(client: TestClient) -> None:
    client.get("/", params={"lang": "ar"})
    r = client.get("/catalogue")
    assert 'dir="rtl"' in r.text
    client.cookies.clear()
    r = client.get("/catalogue", headers={"accept-language": "es-ES,es;q=0.9"})
    assert 'lang="es"' in r.text


def test_catalogue_browser_lists_gpc_risks(client: TestClient) -> None:
    r = client.get("/catalogue/gpc_risks", params={"lang": "en"})
    assert r.status_code == 200
    assert r.text.count("<tr>") == 16  # header + 15 risks
    assert "Child, early or forced marriage" in r.text
    r = client.get("/catalogue/nope", headers={"accept": "text/html"})
    assert r.status_code == 404 and "<html" in r.text


def test_static_assets_are_vendored(client: TestClient) -> None:
    html = client.get("/").text
    for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert not ref.startswith(("http:", "https:", "//")), ref
    assert client.get("/static/safepath.css").status_code == 200


def test_every_template_string_is_translated() -> None:
    msgids = {
        msg[2]
        for msg in extract_from_dir(
            str(TEMPLATES),
            method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    assert len(msgids) > 15
    for lang in ("fr", "es", "ar"):
        missing = sorted(str(m) for m in msgids if str(m) not in messages(lang))
        assert not missing, f"{lang}: untranslated {missing}"


def test_each_catalog_is_in_its_own_language() -> None:
    """A catalog filled with another language's strings still "covers" every msgid; catch it."""
    arabic = re.compile("[\u0600-\u06ff]")
    ar, fr, es = messages("ar"), messages("fr"), messages("es")
    assert len(ar) > 150
    not_arabic = [k for k, v in ar.items() if not arabic.search(v) and k != "Safepath"]
    assert not not_arabic, not_arabic
    same = [k for k in fr if fr[k] == es.get(k) and k not in ("Main", "Safepath", "API")]
    assert not same, same


def test_language_links_keep_the_other_parameters(client: TestClient) -> None:
    html = client.get("/catalogue/gpc_risks", params={"x": "a b", "lang": "fr"}).text
    assert 'href="?x=a+b&amp;lang=ar"' in html
    assert 'href="?lang=ar"' in client.get("/").text
