"""Loading and validating the catalogue: one YAML file per list, packaged with safepath.

``catalogue()`` reads the packaged data once (through ``importlib.resources``, so it works from an
installed wheel as well as from source). ``load_catalogue(directory)`` reads any directory of list
files, which is how tests check the validation. Every problem in every file is reported together,
located by file, entry index, code and field.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from safepath.errors import ConfigurationError, NotFound, Problem

from .models import CODE_PATTERN, CatalogueList, Entry

DATA_PACKAGE = "safepath.framework"
DATA_DIR = "data"
_SUFFIX = ".yaml"

# Plainer wording than pydantic's for the errors a data editor is most likely to make.
_MESSAGES = {
    "missing": "is required",
    "string_too_short": "must not be empty",
    "string_type": "must be a text",
    "string_pattern_mismatch": f"must match {CODE_PATTERN} (lowercase letters, digits, _)",
    "extra_forbidden": "is not a known field",
    "too_short": "must not be empty",
}


class CatalogueError(ConfigurationError):
    """The catalogue data is invalid; ``problems`` locate each error by file, entry and field."""

    code = "invalid_catalogue"


class Catalogue:
    """All lists of the framework catalogue, by name."""

    def __init__(self, lists: Iterable[CatalogueList]) -> None:
        self._lists = {lst.name: lst for lst in sorted(lists, key=lambda lst: lst.name)}

    def __len__(self) -> int:
        return len(self._lists)

    def __iter__(self) -> Iterator[CatalogueList]:
        return iter(self._lists.values())

    def __contains__(self, name: object) -> bool:
        return name in self._lists

    def names(self) -> list[str]:
        return list(self._lists)

    def get(self, name: str) -> CatalogueList:
        try:
            return self._lists[name]
        except KeyError:
            raise NotFound(
                f"unknown catalogue list {name!r}; valid lists: {', '.join(self._lists)}"
            ) from None

    def codes(self, name: str) -> list[str]:
        return self.get(name).codes()

    def entry(self, name: str, code: str) -> Entry:
        return self.get(name).entry(code)

    def has(self, name: str, code: str) -> bool:
        """True when ``code`` is in list ``name``; an unknown list raises ``NotFound``."""
        return self.get(name).has(code)

    def label(self, name: str, code: str, lang: str = "en") -> str:
        return self.entry(name, code).label(lang)


@functools.cache
def catalogue() -> Catalogue:
    """The packaged catalogue, loaded and validated once per process."""
    return load_catalogue()


def load_catalogue(directory: Traversable | str | os.PathLike[str] | None = None) -> Catalogue:
    """Load every ``<list>.yaml`` of ``directory`` (default: the packaged data).

    Raises ``CatalogueError`` listing every problem found in every file.
    """
    root = _data_root() if directory is None else _as_traversable(directory)
    if not root.is_dir():
        raise CatalogueError(f"catalogue directory not found: {root}")
    paths = sorted((p for p in root.iterdir() if p.name.endswith(_SUFFIX)), key=lambda p: p.name)
    problems: list[Problem] = []
    lists: list[CatalogueList] = []
    for path in paths:
        loaded = _load_list(path, problems)
        if loaded is not None:
            lists.append(loaded)
    if not paths:
        problems.append(Problem(f"no *{_SUFFIX} list files found", scope=str(root)))
    if problems:
        raise CatalogueError(
            f"invalid catalogue data: {len(problems)} problem(s); first: {problems[0]}",
            problems=problems,
        )
    return Catalogue(lists)


def _data_root() -> Traversable:
    return files(DATA_PACKAGE) / DATA_DIR


def _as_traversable(directory: Traversable | str | os.PathLike[str]) -> Traversable:
    if isinstance(directory, str | os.PathLike):
        return Path(directory)
    return directory


def _load_list(path: Traversable, problems: list[Problem]) -> CatalogueList | None:
    file = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"not readable YAML: {exc}", scope=file))
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem("must be a mapping with name, title, description, source, entries", scope=file)
        )
        return None
    before = len(problems)
    stem = file.removesuffix(_SUFFIX)
    if raw.get("name") != stem:
        problems.append(
            Problem(
                f"name {raw.get('name')!r} must equal the file name {stem!r}",
                scope=file,
                column="name",
                value=raw.get("name"),
            )
        )
    entries = raw.get("entries")
    entries = entries if isinstance(entries, list) else []
    problems.extend(_duplicates(file, entries))
    try:
        loaded = CatalogueList.model_validate(raw)
    except ValidationError as exc:
        problems.extend(
            _problem(file, err, entries) for err in exc.errors() if not _echo(err, entries)
        )
        loaded = None
    return loaded if len(problems) == before else None


def _echo(err: Any, entries: list[Any]) -> bool:
    """Errors that only repeat another problem: duplicates (reported from the raw entries, with
    their location) and "entries too short" when entries exist but some failed validation."""
    if err["type"] == "duplicate_code":
        return True
    return err["type"] == "too_short" and tuple(err["loc"]) == ("entries",) and bool(entries)


def _duplicates(file: str, entries: list[Any]) -> list[Problem]:
    """Repeated codes, checked on the raw entries so they show even when other fields are bad."""
    first: dict[str, int] = {}
    found: list[Problem] = []
    for index, item in enumerate(entries):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str):
            continue
        if code in first:
            found.append(
                Problem(
                    f"entries[{index}] (code {code!r}): duplicate code, first used at "
                    f"entries[{first[code]}]",
                    scope=file,
                    row=index,
                    column="code",
                    value=code,
                )
            )
        else:
            first[code] = index
    return found


def _problem(file: str, err: Any, entries: list[Any]) -> Problem:
    """Turn one pydantic error into a Problem: row = entry index, column = field path."""
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kind: str = err["type"]
    message = _MESSAGES.get(kind, err["msg"])
    given = err.get("input")
    value = given if kind != "missing" and isinstance(given, str | int | float) else None
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        item = entries[index] if index < len(entries) else None
        code = item.get("code") if isinstance(item, dict) else None
        field = ".".join(str(part) for part in loc[2:]) or "entry"
        return Problem(
            f"entries[{index}] (code {code!r}): {field} {message}",
            scope=file,
            row=index,
            column=field,
            value=value,
        )
    field = ".".join(str(part) for part in loc) or "list"
    return Problem(f"{field} {message}", scope=file, column=field, value=value)
