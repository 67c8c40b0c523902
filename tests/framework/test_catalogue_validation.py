"""The loader rejects bad list files with located problems (file, entry index, code, field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from safepath.errors import ConfigurationError
from safepath.framework import CatalogueError, load_catalogue


def _labels(text: str) -> dict[str, str]:
    return {"en": text, "fr": f"{text} (fr)", "es": f"{text} (es)", "ar": "نص"}


def _entry(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "code": code,
        "labels": _labels(f"Label {code}"),
        "description": f"About {code}.",
    } | changes


def _list(name: str, entries: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": _labels("Colours"),
        "description": "A small test list.",
        "source": "Test source",
        "entries": entries,
    } | changes


def _write(directory: Path, file: str, data: Any) -> Path:
    (directory / file).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


def _problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(directory)
    return [str(p) for p in caught.value.problems]


def test_a_valid_directory_loads(tmp_path: Path) -> None:
    _write(
        tmp_path, "colours.yaml", _list("colours", [_entry("red"), _entry("dark_blue", value=2)])
    )
    cat = load_catalogue(str(tmp_path))
    assert cat.names() == ["colours"]
    assert cat.codes("colours") == ["red", "dark_blue"]
    assert cat.get("colours").rows("fr") == [
        {
            "code": "red",
            "label": "Label red (fr)",
            "description": "About red.",
            "source": "Test source",
            "value": None,
        },
        {
            "code": "dark_blue",
            "label": "Label dark_blue (fr)",
            "description": "About dark_blue.",
            "source": "Test source",
            "value": 2,
        },
    ]


def test_duplicate_code_names_file_index_and_code(tmp_path: Path) -> None:
    entries = [_entry("red"), _entry("blue"), _entry("red")]
    problems = _problems(_write(tmp_path, "colours.yaml", _list("colours", entries)))
    assert problems == [
        "colours.yaml, row 2, column 'code': entries[2] (code 'red'): duplicate code, "
        "first used at entries[0]"
    ]


def test_missing_language_is_located(tmp_path: Path) -> None:
    broken = _entry("blue")
    del broken["labels"]["ar"]
    problems = _problems(
        _write(tmp_path, "colours.yaml", _list("colours", [_entry("red"), broken]))
    )
    assert problems == [
        "colours.yaml, row 1, column 'labels.ar': entries[1] (code 'blue'): labels.ar is required"
    ]


def test_empty_label_and_missing_title_language_are_both_reported(tmp_path: Path) -> None:
    broken = _entry("blue")
    broken["labels"]["fr"] = "  "
    title = _labels("Colours")
    del title["es"]
    data = _list("colours", [broken], title=title)
    problems = _problems(_write(tmp_path, "colours.yaml", data))
    assert problems == [
        "colours.yaml, column 'title.es': title.es is required",
        "colours.yaml, row 0, column 'labels.fr': entries[0] (code 'blue'): labels.fr must not "
        "be empty",
    ]


@pytest.mark.parametrize("code", ["Red", "dark-blue", "dark blue", "", "rouge_é"])
def test_bad_code_is_rejected(tmp_path: Path, code: str) -> None:
    problems = _problems(_write(tmp_path, "colours.yaml", _list("colours", [_entry(code)])))
    assert problems == [
        f"colours.yaml, row 0, column 'code': entries[0] (code {code!r}): code must match "
        "^[a-z0-9_]+$ (lowercase letters, digits, _)"
    ]


def test_file_name_must_equal_list_name(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "colors.yaml", _list("colours", [_entry("red")])))
    assert problems == [
        "colors.yaml, column 'name': name 'colours' must equal the file name 'colors'"
    ]


def test_unknown_field_bad_value_and_age_range(tmp_path: Path) -> None:
    entries = [
        _entry("red", colour="#f00"),
        _entry("blue", value="3"),
        _entry("old", min_age=60, max_age=5),
    ]
    problems = _problems(_write(tmp_path, "colours.yaml", _list("colours", entries)))
    assert problems == [
        "colours.yaml, row 0, column 'colour': entries[0] (code 'red'): colour is not a known "
        "field",
        "colours.yaml, row 1, column 'value': entries[1] (code 'blue'): value Input should be a "
        "valid integer",
        "colours.yaml, row 2, column 'entry': entries[2] (code 'old'): entry min_age 60 is above "
        "max_age 5",
    ]


def test_problems_from_every_file_are_collected(tmp_path: Path) -> None:
    _write(tmp_path, "colours.yaml", _list("colours", [_entry("red"), _entry("red")]))
    _write(tmp_path, "shapes.yaml", _list("shapes", []))
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored: not a list file", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    scopes = [p.scope for p in caught.value.problems]
    assert scopes == ["broken.yaml", "colours.yaml", "shapes.yaml"]
    assert caught.value.problems[2].column == "entries"
    assert caught.value.message.startswith(
        "invalid catalogue data: 3 problem(s); first: broken.yaml"
    )
    # A broken packaged catalogue is a server configuration fault (HTTP 500), not a user error.
    assert isinstance(caught.value, ConfigurationError)
    assert caught.value.status == 500


def test_a_yaml_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "colours.yaml").write_text("- red\n- blue\n", encoding="utf-8")
    assert _problems(tmp_path) == [
        "colours.yaml: must be a mapping with name, title, description, source, entries"
    ]


def test_empty_or_missing_directory_is_an_error(tmp_path: Path) -> None:
    assert _problems(tmp_path) == [f"{tmp_path}: no *.yaml list files found"]
    with pytest.raises(CatalogueError, match="catalogue directory not found"):
        load_catalogue(tmp_path / "absent")
