"""The risk models' labels in French, Spanish and Arabic: every shipped model has its companion
label file, every indicator its three labels, every coded area-profile value its words; pages
show them in the reader's language."""

from __future__ import annotations

import re

import pytest
import yaml

from safepath.risk import list_models, load_model
from safepath.risk.area_profile import shipped_area_profile
from safepath.web.i18n import current_language
from safepath.web.labels import (
    area_column,
    area_value,
    english_labels,
    english_texts,
    label_in,
    model_label_files,
)
from safepath.web.render import environment

TRANSLATED = ("fr", "es", "ar")
ARABIC = re.compile("[\u0600-\u06ff]")


def _companions() -> dict[str, dict[str, object]]:
    out = {}
    for resource in model_label_files():
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
        out[str(data["model"])] = data
    return out


def test_every_shipped_model_has_every_label_in_three_languages() -> None:
    companions = _companions()
    assert set(companions) == set(list_models()), "a shipped model without risk/models/labels/"
    for name in list_models():
        model = load_model(name)
        data = companions[name]
        indicators = data["indicators"]
        assert isinstance(indicators, dict)
        assert set(indicators) == {i.id for i in model.indicators}, name
        for ind in model.indicators:
            labels = indicators[ind.id]
            assert set(labels) == set(TRANSLATED), (name, ind.id)
            assert labels["fr"] != labels["es"] and labels["fr"] != ind.label, (name, ind.id)
            assert ARABIC.search(labels["ar"]), (name, ind.id)
        title = data["title"]
        assert isinstance(title, dict) and set(title) == set(TRANSLATED), name


def test_every_coded_area_value_has_its_words() -> None:
    for name in list_models():
        if shipped_area_profile(name) is None:  # its indicators read the survey, not a profile
            continue
        for ind in load_model(name).indicators:
            if ind.level not in ("community", "structural") or not ind.field:
                continue
            for lang in TRANSLATED:
                assert area_column(ind.field, lang) != ind.label, (ind.id, lang)
                for code in ind.score.map or {}:
                    assert area_value(code, lang) != code or lang == "es" and code == "no", (
                        ind.id,
                        code,
                        lang,
                    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Acteurs armés présents dans la communauté"),
        ("es", "Actores armados presentes en la comunidad"),
        ("ar", "وجود جهات مسلحة في المجتمع المحلي"),
    ],
)
def test_a_stored_english_label_is_printed_in_the_page_language(lang: str, expected: str) -> None:
    """The explanation stored with an assessment carries the English label: the page's
    environment prints it in the reader's language, and leaves other text alone."""
    english = "Armed actors present in the community"
    assert english in english_texts()
    assert english_labels(lang)[english] == expected
    template = environment().from_string("{{ d.label }}|{{ other }}|{{ _('Risk') }}")
    token = current_language.set(lang)
    try:
        html = template.render(d={"label": english}, other="Armed actors")
    finally:
        current_language.reset(token)
    label, other, _risk = html.split("|")
    assert label == expected and other == "Armed actors"
    assert label_in("Protection case management (demo-agency)", lang).endswith("(demo-agency)")
    assert label_in(english, "en") == english
