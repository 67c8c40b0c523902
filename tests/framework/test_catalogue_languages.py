"""Every title and label exists in all four languages; Arabic is written in Arabic script."""

from __future__ import annotations

import re
import unicodedata

import pytest

from safepath.framework import LANGUAGES, catalogue

ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
NAMES = catalogue().names()


@pytest.mark.parametrize("name", NAMES)
def test_every_label_and_title_is_present_in_every_language(name: str) -> None:
    lst = catalogue().get(name)
    for lang in LANGUAGES:
        assert lst.title(lang).strip()
        assert all(e.label(lang).strip() for e in lst.entries)


@pytest.mark.parametrize("name", NAMES)
def test_arabic_is_in_arabic_script(name: str) -> None:
    lst = catalogue().get(name)
    texts = [lst.title("ar"), *(e.label("ar") for e in lst.entries)]
    assert [t for t in texts if not ARABIC.search(t)] == []
    # No Latin letters left untranslated in Arabic labels (titles may name GBVIMS).
    assert [e.code for e in lst.entries if LATIN_LETTER.search(e.label("ar"))] == []


@pytest.mark.parametrize("name", NAMES)
def test_labels_are_distinct_within_a_list(name: str) -> None:
    lst = catalogue().get(name)
    for lang in LANGUAGES:
        labels = [e.label(lang) for e in lst.entries]
        assert len(set(labels)) == len(labels), (name, lang)


def test_french_and_spanish_are_translations_not_copies() -> None:
    # Most labels differ from English; the few identical ones are real cognates.
    same = {
        (lst.name, e.code, lang)
        for lst in catalogue()
        for e in lst.entries
        for lang in ("fr", "es")
        if e.label(lang) == e.label("en")
    }
    assert same == {
        ("iom_data_protection_principles", "exceptions", "fr"),
        ("levels", "individual", "es"),
        ("migration_stages", "destination", "fr"),
        ("migration_stages", "transit", "fr"),
        ("personal_characteristics", "religion", "fr"),
        ("population_groups", "migrant", "fr"),
        ("rights", "non_discrimination", "fr"),
        ("roadmap_pillars", "leadership", "fr"),
        ("severity_phases", "stress", "fr"),
    }


def test_labels_are_normalised_unicode() -> None:
    for lst in catalogue():
        for e in lst.entries:
            for lang in LANGUAGES:
                assert unicodedata.is_normalized("NFC", e.label(lang)), (lst.name, e.code, lang)


@pytest.mark.parametrize("name", ["modalities", "severity_phases", "case_risk_levels"])
def test_user_facing_scales_have_translated_descriptions(name: str) -> None:
    for entry in catalogue().get(name).entries:
        translated = [entry.describe(lang) for lang in ("fr", "es", "ar")]
        assert entry.description not in translated, entry.code
        assert ARABIC.search(translated[2]), entry.code


@pytest.mark.parametrize("name", NAMES)
def test_descriptions_are_one_line(name: str) -> None:
    lst = catalogue().get(name)
    texts = [lst.description, *(e.describe(lang) for e in lst.entries for lang in LANGUAGES)]
    assert [t for t in texts if "\n" in t] == []
