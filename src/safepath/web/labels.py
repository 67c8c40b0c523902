"""Labels that come from data files, in the page's language: the risk models' indicator and
area-profile labels, the casework vocabularies and the framework catalogue.

A risk model keeps its English labels (the explanations stored with each assessment are history
and carry them). Each shipped model has a companion ``risk/models/labels/<model id>.yaml`` with the
French, Spanish and Arabic of each indicator, its title and the coded area-profile values (a
column reads as the label of the indicator that reads it); ``web/casework_labels.yaml`` holds the
words pages print from data (the demo directory's service names). A page prints the English text
a view hands over in the reader's language through the template environment
(``render.environment``), whichever view carried it. Coded vocabularies (statuses, follow-up
kinds, urgencies) are named by the templates' macros, through the catalogues."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from safepath.framework import catalogue
from safepath.risk import list_models, load_model

TRANSLATED = ("fr", "es", "ar")


def _load(resource: Any) -> dict[str, Any]:
    data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def model_label_files() -> list[Any]:
    root = files("safepath.risk") / "models" / "labels"
    return sorted((p for p in root.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)


def _texts(table: dict[str, Any], lang: str, english: dict[str, str]) -> dict[str, str]:
    """``{key: {fr, es, ar}}`` read through ``english`` (key -> its English text)."""
    out: dict[str, str] = {}
    for key, by_lang in (table or {}).items():
        text = (by_lang or {}).get(lang)
        en = english.get(str(key), str(key))
        if text and en:
            out[en] = str(text)
    return out


@lru_cache(maxsize=len(TRANSLATED) + 1)
def carried_labels(lang: str) -> dict[str, str]:
    """English -> ``lang`` for the labels views carry as English text (the models' indicators and
    titles, the casework words): what pages translate on the way out. Long and specific on
    purpose: a short catalogue word ("Other") could be someone's own words in a form field."""
    if lang not in TRANSLATED:
        return {}
    out: dict[str, str] = {}
    for resource in model_label_files():
        data = _load(resource)
        model = load_model(str(data["model"]))
        indicators = {i.id: i.label for i in model.indicators}
        out |= _texts({"title": data.get("title")}, lang, {"title": model.title})
        out |= _texts(data.get("indicators") or {}, lang, indicators)
    out |= _texts(_load(files("safepath.web") / "casework_labels.yaml"), lang, {})
    return out


@lru_cache(maxsize=len(TRANSLATED) + 1)
def english_labels(lang: str) -> dict[str, str]:
    """English label -> the same label in ``lang``, for every label a data file translates (the
    carried ones and the framework catalogue's)."""
    out = dict(carried_labels(lang))
    if lang not in TRANSLATED:
        return out
    cat = catalogue()
    for name in cat.names():
        for entry in cat.get(name).entries:
            en, text = entry.label("en"), entry.label(lang)
            if en and text:  # the same word in both languages is kept: it is not English left
                out.setdefault(en, text)
    return out


@lru_cache(maxsize=1)
def english_texts() -> frozenset[str]:
    """Every English label the shipped models and the casework vocabulary show, translated or
    not (what a page sweep looks for: one without its translation shows in English)."""
    texts: set[str] = set()
    for name in list_models():
        model = load_model(name)
        texts.add(model.title)
        texts |= {i.label for i in model.indicators}
    texts |= {str(k) for k in _load(files("safepath.web") / "casework_labels.yaml")}
    return frozenset(texts)


def label_in(value: str, lang: str) -> str:
    """``value`` in ``lang`` when it is an English label a data file translates; else as it is.
    A label with its code after it, "Safe shelter for GBV survivors (safe-shelter)", too."""
    if lang not in TRANSLATED:
        return value
    labels = carried_labels(lang)
    if value in labels:
        return labels[value]
    head, sep, tail = value.rpartition(" (")
    if sep and tail.endswith(")") and head in labels:
        return f"{labels[head]} ({tail}"
    return value


@lru_cache(maxsize=len(TRANSLATED) + 1)
def _area(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    columns: dict[str, str] = {}
    values: dict[str, str] = {}
    for resource in model_label_files():
        data = _load(resource)
        model = load_model(str(data["model"]))
        labels = data.get("indicators") or {}
        for ind in model.indicators:
            if ind.level in ("community", "structural") and ind.field:
                text = (labels.get(ind.id) or {}).get(lang) if lang in TRANSLATED else None
                columns.setdefault(ind.field, str(text or ind.label))
        for code, by_lang in (data.get("area_values") or {}).items():
            text = (by_lang or {}).get(lang)
            if text:
                values.setdefault(str(code), str(text))
    return columns, values


def area_column(name: str, lang: str) -> str:
    """An area-profile column by the label of the indicator that reads it (the name if none)."""
    return _area(lang)[0].get(name, name)


def area_value(value: object, lang: str) -> str:
    """A coded area-profile value ("occasional", "checkpoints") in ``lang``; numbers as they are."""
    return _area(lang)[1].get(str(value), str(value))
