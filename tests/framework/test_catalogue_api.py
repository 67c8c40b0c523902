"""The public lookup API of the packaged catalogue."""

from __future__ import annotations

from importlib.resources import files

import pytest

from safepath.errors import InputError, NotFound
from safepath.framework import LANGUAGES, Catalogue, catalogue, load_catalogue


def test_catalogue_is_loaded_once() -> None:
    assert catalogue() is catalogue()
    assert isinstance(catalogue(), Catalogue)


def test_packaged_data_is_read_through_importlib_resources() -> None:
    data = files("safepath.framework") / "data"
    yaml_files = sorted(p.name for p in data.iterdir() if p.name.endswith(".yaml"))
    assert len(yaml_files) == 34
    assert load_catalogue(data).names() == catalogue().names()


def test_unknown_list_lists_the_valid_names() -> None:
    with pytest.raises(NotFound) as caught:
        catalogue().get("gpc_risk")
    assert caught.value.status == 404
    assert caught.value.message.startswith("unknown catalogue list 'gpc_risk'; valid lists: ")
    assert "gpc_risks, humanitarian_principles" in caught.value.message


def test_entry_lookup_and_membership() -> None:
    cat = catalogue()
    assert cat.entry("gpc_risks", "gbv").label() == "Gender-based violence"
    assert cat.label("rights", "right_to_life", "fr") == "Droit à la vie"
    assert cat.has("gpc_risks", "torture")
    assert not cat.has("gpc_risks", "Torture")
    assert "levels" in cat and "level" not in cat
    with pytest.raises(NotFound, match="unknown code 'war' in catalogue list 'gpc_risks'"):
        cat.entry("gpc_risks", "war")
    with pytest.raises(NotFound, match="unknown catalogue list"):
        cat.has("risks", "gbv")


def test_titles_and_descriptions_by_language() -> None:
    lst = catalogue().get("severity_phases")
    assert lst.title() == "Severity phases"
    assert lst.title("es") == "Fases de severidad"
    severe = lst.entry("severe")
    assert severe.describe() == severe.description
    assert severe.describe("es").startswith("Riesgo o daño severo")
    # No translated description: the English one is used in every language.
    household = catalogue().entry("levels", "household")
    assert household.describe("ar") == household.description == household.describe()
    assert (
        catalogue().get("modalities").rows("fr")[2]["description"].startswith("Action qui rétablit")
    )


def test_unknown_language_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown language 'de'; expected one of en, fr, es, ar"):
        catalogue().entry("levels", "community").label("de")
    with pytest.raises(InputError):
        catalogue().get("levels").rows("pt")
    assert LANGUAGES == ("en", "fr", "es", "ar")


def test_rows_are_flat_with_the_lists_extra_attributes() -> None:
    cat = catalogue()
    assert cat.get("levels").rows("es")[2] == {
        "code": "community",
        "label": "Comunidad",
        "description": (
            "The immediate physical and social surroundings of the person and household."
        ),
        "source": cat.get("levels").source,
    }
    phases = cat.get("severity_phases").rows()
    assert [(r["code"], r["label"], r["value"]) for r in phases][2] == ("severe", "Severe", 3)
    ages = cat.get("age_brackets").rows("fr")
    assert {k: ages[5][k] for k in ("code", "label", "min_age", "max_age")} == {
        "code": "unknown",
        "label": "Inconnu",
        "min_age": None,
        "max_age": None,
    }
    # Same keys in every row, so rows can be written as CSV.
    assert len({tuple(r) for r in ages}) == 1
    assert list(ages[0]) == ["code", "label", "description", "source", "min_age", "max_age"]


def test_entry_source_overrides_the_list_source_in_rows() -> None:
    rows = {r["code"]: r for r in catalogue().get("bodies_of_law").rows()}
    assert rows["ihl"]["source"].startswith("IASC, Policy Paper (1999)")
    assert rows["consular_law"]["source"] == catalogue().get("bodies_of_law").source


def test_models_are_frozen() -> None:
    entry = catalogue().entry("levels", "household")
    with pytest.raises(ValueError, match="frozen"):
        entry.code = "family"  # type: ignore[misc]
