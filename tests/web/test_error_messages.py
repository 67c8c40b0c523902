"""Error messages in the reader's language: every message the source raises has a stable id and
template in ``error_messages.yaml`` and a French, Spanish and Arabic translation in the catalogues;
the API and the pages answer in the negotiated language with the same code."""

from __future__ import annotations

import enum
import re
import string
import time
from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from importlib.resources import files
from typing import Any, Literal, get_args
from uuid import UUID

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core.core_schema import ErrorType
from tests.apps import shared_app
from tests.web.message_sources import shape, source_messages

from safepath.errors import (
    InputError,
    NotFound,
    Problem,
    ProblemCollector,
    identify,
    localise,
    message_templates,
    reading_with,
)
from safepath.http.validation_words import in_words, phrase, words_by_type
from safepath.privacy import identity
from safepath.store.db import session_scope
from safepath.web.i18n import messages, reader, translate

TRANSLATED = ("fr", "es", "ar")
ENTRIES = yaml.safe_load((files("safepath") / "error_messages.yaml").read_text(encoding="utf-8"))[
    "messages"
]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_raised_message_has_an_id_and_a_template() -> None:
    known = {shape(e["en"]) for e in ENTRIES}
    found = source_messages()
    assert len(found) > 300  # the scan reads the source (a broken scan finds nothing)
    missing = [f"{f.where}: {f.template!r}" for f in found if shape(f.template) not in known]
    assert not missing, (
        "messages raised but not in src/safepath/error_messages.yaml (add an id and the English "
        "template, then its fr/es/ar msgstr at the end of each messages.po):\n" + "\n".join(missing)
    )


def test_ids_and_templates_are_unique() -> None:
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    shapes = [shape(e["en"]) for e in ENTRIES]
    assert len(shapes) == len(set(shapes)), sorted(s for s in shapes if shapes.count(s) > 1)
    assert all(re.fullmatch(r"[a-z0-9_.]+", i) for i in ids)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalogue = messages(lang)
    missing = [e["en"] for e in ENTRIES if e["en"] not in catalogue]
    assert not missing, f"{lang}: messages without a msgstr in messages.po: {missing}"
    wrong = [
        (e["en"], catalogue[e["en"]])
        for e in ENTRIES
        if _fields(catalogue[e["en"]]) != _fields(e["en"])
    ]
    assert not wrong, f"{lang}: placeholders differ from the English template: {wrong}"
    for e in ENTRIES:  # each translation is a usable template
        catalogue[e["en"]].format(**dict.fromkeys(_fields(e["en"]), "x"))


def test_a_message_is_known_by_its_id_and_values() -> None:
    exc = NotFound("case CASE-0042 not found")
    assert exc.message_id == "cases.registry.case_not_found"
    assert exc.params == {"code": "CASE-0042"}
    assert exc.message == "case CASE-0042 not found"  # no reader: English, as raised
    with reading_with(partial(translate, lang="fr")):
        assert exc.message == "dossier CASE-0042 introuvable"
        assert exc.as_dict() == {
            "error": {"code": "not_found", "message": "dossier CASE-0042 introuvable"}
        }
    assert str(exc) == "case CASE-0042 not found"  # the CLI and the logs keep the English


def test_the_most_specific_template_wins_and_unknown_text_is_kept() -> None:
    found = identify(
        "the person has not consented to case management: record the consent "
        "(purpose case_management) before opening a case"
    )
    assert found is not None and found[0].id.startswith("cases.intake")
    assert localise("something no template says", partial(translate, lang="fr")) == (
        "something no template says"
    )


def test_a_summary_and_the_problem_it_carries_are_both_translated() -> None:
    problems = ProblemCollector(scope="places.csv")
    problems.add("empty value", row=3, column="#adm1+code")
    with pytest.raises(InputError) as caught:
        problems.raise_if_any("places.csv: cannot import places")
    with reading_with(partial(translate, lang="es")):
        body = caught.value.as_dict()["error"]
    assert body["code"] == "invalid_input"
    assert body["problems"] == [
        {"scope": "places.csv", "row": 3, "column": "#adm1+code", "message": "valor vacío"}
    ]
    assert "1 problema(s)" in body["message"] and "valor vacío" in body["message"]
    assert Problem("empty value").message_id == "places.importer.empty_value"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", "tern lagoon 123 quartz", ["north"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "wrong username or password"),
        ("fr", "nom d'utilisateur ou mot de passe incorrect"),
        ("es", "nombre de usuario o contraseña incorrectos"),
        ("ar", "اسم المستخدم أو كلمة المرور غير صحيحة"),
    ],
)
def test_the_api_answers_in_the_accepted_language_with_the_same_code(
    client: TestClient, lang: str, expected: str
) -> None:
    r = client.post(
        "/api/v1/auth/token",
        data={"username": "cw", "password": "not it at all"},
        headers={"accept-language": f"{lang};q=0.9"},
    )
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "not_authenticated", "message": expected}}


def test_a_page_refusal_is_in_the_users_language(client: TestClient) -> None:
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    r = client.post(
        "/login",
        data={"username": "cw", "password": "tern lagoon 123 quartz", "csrf_token": token[1]},
    )
    assert r.status_code == 303
    page = client.get("/register", params={"lang": "ar"}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    r = client.post(
        "/register", data={"csrf_token": token[1], "given_name": "Lina", "thematic_areas": ["gbv"]}
    )
    assert r.status_code == 422
    refusal = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
    assert refusal, r.text[-1500:]
    assert "case_management" in refusal[1]  # the value put in the message stays as it is
    assert re.search("[\u0600-\u06ff]{3}", refusal[1]), refusal[1]
    assert "has not consented" not in refusal[1]


def test_every_template_compiles() -> None:
    assert len(message_templates()) == len(ENTRIES)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            "action impossible sur un dossier au statut « en cours » (clôturer) : "
            "demandez d'abord sa clôture",
        ),
        ("es", "no se puede cerrar un caso en estado «en curso»: solicite primero su cierre"),
        ("ar", "لا يمكن إغلاق حالة في الوضع «قيد التنفيذ»: اطلب إغلاقها أولاً"),
    ],
)
def test_a_closure_refusal_reads_whole_in_the_language(lang: str, expected: str) -> None:
    """The verb, the status and the hint the lifecycle puts in are read too, not left English."""
    english = "cannot close a case in status 'in_progress': request its closure first"
    assert identify(english) is not None
    assert localise(english, partial(translate, lang=lang)) == expected


def test_a_long_message_is_read_in_linear_time() -> None:
    """A message carrying a long list (codes a user sent) must not stall the error handler: the
    first matcher (regular expressions with several lazy groups) took minutes on 16 000 chars."""
    listing = ", ".join(f"CODE{i} (a): b" for i in range(5000))  # 84 000 characters
    english = f"areas: unknown place P-code(s) {listing}"
    started = time.perf_counter()
    text = localise(english, partial(translate, lang="fr"))
    assert time.perf_counter() - started < 1.0
    assert text == f"zones : P-code(s) de lieu inconnu(s) {listing}"
    assert localise("x: " + listing, partial(translate, lang="fr")) == "x: " + listing


def test_the_html_error_page_is_in_the_language(client: TestClient) -> None:
    r = client.get("/no-such-page", params={"lang": "es"}, headers={"accept": "text/html"})
    assert r.status_code == 404
    assert "Página no encontrada" in r.text and "Not Found" not in r.text
    r = client.get("/api/v1/no-such-route", headers={"accept-language": "fr"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


class _Colour(enum.Enum):
    red = "red"


class _Inner(BaseModel):
    x: int


class _EveryKind(BaseModel):
    """A field for each kind of validation error the API and the forms put in words."""

    model_config = ConfigDict(extra="forbid")
    needed: int
    short: str = Field(min_length=3)
    empty: str = Field(min_length=1)
    long: str = Field(max_length=2)
    few: list[int] = Field(min_length=2)
    none: list[int] = Field(min_length=1)
    many: list[int] = Field(max_length=1)
    whole: int
    fraction: int
    number: float
    flag: bool
    choice: Literal["a", "b"]
    colour: _Colour
    form: str = Field(pattern=r"^x+$")
    above: int = Field(gt=0)
    above_float: float = Field(gt=0.5)
    least: int = Field(ge=1)
    below: int = Field(lt=10)
    below_float: float = Field(lt=0.5)
    most: int = Field(le=9)
    day: date
    moment: datetime
    uid: UUID
    items: list[int]
    mapping: dict[str, int]
    text: str
    inner: _Inner
    checked: int

    @field_validator("checked")
    @classmethod
    def _checked(cls, v: int) -> int:
        raise ValueError("empty value")


_BAD = {
    "short": "ab",
    "empty": "",
    "long": "abc",
    "few": [1],
    "none": [],
    "many": [1, 2],
    "whole": "x",
    "fraction": 1.5,
    "number": "x",
    "flag": "perhaps",
    "choice": "c",
    "colour": "blue",
    "form": "y",
    "above": 0,
    "above_float": 0.1,
    "least": 0,
    "below": 10,
    "below_float": 0.9,
    "most": 10,
    "day": "soon",
    "moment": "later",
    "uid": "u",
    "items": 3,
    "mapping": 3,
    "text": 3,
    "inner": 3,
    "checked": 1,
    "stray": 1,
}


def _every_error() -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        _EveryKind.model_validate(_BAD)
    return [dict(e) for e in caught.value.errors()]


def test_the_mapping_names_real_pydantic_error_types() -> None:
    kinds = set(get_args(ErrorType))
    mapped = set(words_by_type())
    assert len(mapped) > 30
    unknown = {k for k in mapped if k.removesuffix("_one") not in kinds}
    assert not unknown, f"not pydantic error types (a typo in error_messages.yaml?): {unknown}"


def test_every_validation_error_has_words_in_each_language() -> None:
    errors = _every_error()
    assert len(errors) == len(_BAD) + 1  # every field refused, the stray one and the missing one
    for e in errors:
        words = phrase(e)
        assert words is not None, f"{e['type']} ({e['loc']}) has no words"
        assert identify(words) is not None, words
        for lang in TRANSLATED:
            read = in_words(e, reader(lang))
            assert read != words, f"{lang}: {e['type']} reads in English: {read!r}"
    said = {e["loc"][0]: in_words(e, None) for e in errors}
    assert said["empty"] == said["needed"] == "is required"
    assert said["none"] == "choose at least one" and said["few"] == "too few (at least 2)"
    assert said["above"] == "must be at least 1" and said["below"] == "must be at most 9"
    assert said["above_float"] == "must be more than 0.5"
    assert said["below_float"] == "must be less than 0.5"
    assert said["long"] == "is too long (at most 2)" and said["many"] == "is too long (at most 1)"
    assert said["stray"] == "is not a field of this request"
    assert said["checked"] == "empty value"  # a validator's own message, as it is


def test_an_error_without_words_keeps_pydantics_message() -> None:
    error = {"type": "url_parsing", "loc": ("u",), "msg": "Input should be a valid URL"}
    assert phrase(error) is None
    assert in_words(error, reader("fr")) == "Input should be a valid URL"
