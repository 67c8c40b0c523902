"""Normalisation for blind indexes: case, accents, Arabic letter forms and diacritics,
transcription variants; phones by their last digits."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepath.privacy import blind_index as bi
from safepath.privacy.keys import KeyRing
from safepath.settings import reset_settings


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("José", "JOSE"),
        ("Zoë", "zoe"),
        ("مُحَمَّد", "محمد"),  # tashkeel
        ("أحمد", "احمد"),  # alef with hamza
        ("فاطمة", "فاطمه"),  # ta marbuta
        ("مصطفى", "مصطفي"),  # alef maqsura
    ],
)
def test_same_normalised_token(a: str, b: str) -> None:
    assert bi.name_tokens(a) == bi.name_tokens(b)


@pytest.mark.parametrize(
    "names",
    [
        ("Mohammed", "Muhammad", "Mohamed", "محمد"),
        ("Ahmed", "Ahmad", "أحمد"),
        ("Fatima", "Fatimah", "فاطمة"),
        ("Khaled", "Khalid", "خالد"),
        ("Youssef", "Yusuf", "يوسف"),
    ],
)
def test_spelling_variants_share_a_skeleton(names: tuple[str, ...]) -> None:
    skeletons = {bi.skeleton(bi.name_tokens(n)[0]) for n in names}
    assert len(skeletons) == 1, skeletons


def test_different_names_differ() -> None:
    assert bi.skeleton("amina") != bi.skeleton("fatima")
    assert bi.name_tokens("Al-Rashidi Omar") == ["al", "rashidi", "omar"]


def test_phone_keys() -> None:
    assert bi.phone_key("+961 70 123 456") == bi.phone_key("0096170123456") == "70123456"
    assert bi.phone_key("123 45") is None
    assert bi.looks_like_phone("(070) 123-456") and not bi.looks_like_phone("Amina 70123456")


def test_digests_are_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPATH_KEYS", KeyRing.generate().to_json())
    reset_settings()
    first = bi.digest("name", "amina")
    monkeypatch.setenv("SAFEPATH_KEYS", KeyRing.generate().to_json())
    reset_settings()
    assert bi.digest("name", "amina") != first  # not a plain hash anyone could recompute
    assert len(first) == 32 and "amina" not in first


@pytest.mark.parametrize(
    "names",
    [
        # the article, in either script, fused or apart, al/el/ul: the skeleton is the name's
        ("الحسن", "Al-Hassan", "El Hassan", "Elhassan", "Alhassan", "Hassan", "حسن"),
        ("الرشيد", "Ar-Rashid", "Arrashid", "Al Rashid", "Alrashid", "Rashid"),
        ("Ulhaq", "ul-Haq", "Haq"),
    ],
)
def test_the_arabic_article_is_not_part_of_the_skeleton(names: tuple[str, ...]) -> None:
    skeletons = {bi.skeleton(bi.name_tokens(n)[-1]) for n in names}
    assert len(skeletons) == 1, skeletons
    assert bi.skeleton("al") == bi.skeleton("ال") == "l"  # written apart: too short to index


def test_a_name_that_is_only_article_and_vowels_keeps_its_letters() -> None:
    # nothing of two consonants would be left: the token is kept whole
    assert bi.skeleton("ali") == bi.skeleton("علي") == "l"
    assert bi.skeleton("elias") == bi.skeleton("الياس") == "ls"
    assert bi.without_article("alaa") == "alaa" and bi.without_article("الحسن") == "حسن"
