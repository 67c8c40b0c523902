"""XLSForm definitions: pyxform parses the workbook, this module keeps a typed view of it.

``load_form`` relies on pyxform for everything XLSForm means (type aliases, groups, repeats,
choice lists, per-language labels, binds); the typed ``FormDefinition`` is what the web form
renderer and answer validation build on. ``validate_answers`` checks required, type, choice and
constraint basics; relevance and constraints are evaluated with a small XPath subset
(``safepath.surveys.xpath``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json

from safepath.errors import InputError, Problem
from safepath.surveys import xpath

# pyxform's internal type names -> the XLSForm names users write.
_TYPE_NAMES = {"select one": "select_one", "select all that apply": "select_multiple"}
_STRUCTURAL = {"group", "repeat"}
_NO_ANSWER = {
    "note",
    "start",
    "end",
    "today",
    "deviceid",
    "audit",
    "calculate",
    "username",
    "phonenumber",
    "simserial",
    "subscriberid",
    "begin_group",
    "end_group",
}


@dataclass(frozen=True)
class Choice:
    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class FormField:
    """One question or calculation, located by the groups (and repeat) that contain it."""

    name: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    path: tuple[str, ...] = ()
    repeat: str | None = None
    list_name: str | None = None
    choices: tuple[Choice, ...] = ()
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: dict[str, str] = field(default_factory=dict)
    required: bool = False
    calculation: str | None = None

    @property
    def choice_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.choices)

    @property
    def answerable(self) -> bool:
        return self.type not in _NO_ANSWER


@dataclass(frozen=True)
class FormGroup:
    name: str
    path: tuple[str, ...]
    labels: dict[str, str]
    relevant: str | None
    repeat: bool
    repeat_count: str | None = None


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: str
    version: str | None
    default_language: str | None
    languages: tuple[str, ...]
    fields: dict[str, FormField]
    groups: dict[str, FormGroup]
    choices: dict[str, tuple[Choice, ...]]

    def field(self, name: str) -> FormField:
        try:
            return self.fields[name]
        except KeyError:
            raise InputError(
                f"form {self.id!r} has no field {name!r}",
                problems=[Problem("unknown field", scope=self.id, column=name)],
            ) from None

    @property
    def repeats(self) -> list[FormGroup]:
        return [g for g in self.groups.values() if g.repeat]

    def relevance_chain(self, name: str) -> list[str]:
        """Relevant expressions of the field and every group around it, outermost first."""
        f = self.fields[name]
        chain = [g.relevant for g in (self.groups[p] for p in f.path) if g.relevant]
        return [*chain, f.relevant] if f.relevant else chain


def _labels(value: Any, default_language: str | None) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if value is None:
        return {}
    return {default_language or "default": str(value)}


def _required(value: Any) -> bool:
    return str(value).strip().lower() in {"yes", "true", "true()", "1"}


def load_form(path: str | Path) -> FormDefinition:
    """Parse an XLSForm workbook with pyxform into a typed definition (InputError if invalid)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"XLSForm not found: {path}", problems=[Problem("file not found", scope=str(path))]
        )
    try:
        data = parse_file_to_json(str(path), warnings=[])
    except PyXFormError as exc:
        raise InputError(
            f"{path.name} is not a valid XLSForm: {exc}",
            problems=[Problem(str(exc), scope=path.name)],
        ) from exc
    default_language = data.get("default_language")
    fields: dict[str, FormField] = {}
    groups: dict[str, FormGroup] = {}
    choices: dict[str, tuple[Choice, ...]] = {}
    languages: set[str] = set()

    def walk(
        children: Sequence[Mapping[str, Any]], path: tuple[str, ...], repeat: str | None
    ) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child["name"])
            bind = child.get("bind") or {}
            labels = _labels(child.get("label"), default_language)
            languages.update(labels)
            if kind in _STRUCTURAL:
                is_repeat = kind == "repeat"
                count = (child.get("control") or {}).get("jr:count")
                groups[name] = FormGroup(
                    name,
                    path,
                    labels,
                    bind.get("relevant"),
                    is_repeat,
                    str(count) if count else None,
                )
                walk(child.get("children", []), (*path, name), name if is_repeat else repeat)
                continue
            options = tuple(
                Choice(str(c["name"]), _labels(c.get("label"), default_language))
                for c in child.get("choices", []) or []
            )
            list_name = child.get("list_name") or child.get("itemset")
            if list_name and options:
                choices[str(list_name)] = options
            fields[name] = FormField(
                name=name,
                type=_TYPE_NAMES.get(kind, kind),
                labels=labels,
                path=path,
                repeat=repeat,
                list_name=str(list_name) if list_name else None,
                choices=options,
                relevant=bind.get("relevant"),
                constraint=bind.get("constraint"),
                constraint_message=_labels(bind.get("jr:constraintMsg"), default_language),
                required=_required(bind.get("required", "")),
                calculation=bind.get("calculate"),
            )

    walk(data.get("children", []), (), None)
    return FormDefinition(
        id=str(data.get("id_string") or path.stem),
        title=str(data.get("title") or path.stem),
        version=str(data["version"]) if data.get("version") else None,
        default_language=default_language,
        languages=tuple(sorted(languages)),
        fields=fields,
        groups=groups,
        choices=choices,
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


_INT = re.compile(r"^[+-]?\d+$")


def _type_problem(f: FormField, value: Any) -> str | None:
    text = str(value).strip()
    if f.type == "integer":
        if isinstance(value, bool) or not (
            isinstance(value, int)
            or _INT.match(text)
            or (isinstance(value, float) and value.is_integer())
        ):
            return "not an integer"
    elif f.type == "decimal":
        try:
            float(text)
        except ValueError:
            return "not a number"
    elif f.type == "date":
        try:
            dt.date.fromisoformat(text[:10])
        except ValueError:
            return "not a date (YYYY-MM-DD)"
    elif f.type == "select_one" and f.choices and text not in f.choice_names:
        return f"not a choice of {f.list_name!r}"
    elif f.type == "select_multiple" and f.choices:
        unknown = [t for t in text.split() if t not in f.choice_names]
        if unknown:
            return f"{', '.join(unknown)} not choice(s) of {f.list_name!r}"
    return None


def _check(
    form: FormDefinition,
    names: Sequence[str],
    context: Mapping[str, Any],
    row: int | None,
    problems: list[Problem],
) -> None:
    for name in names:
        f = form.fields[name]
        if not f.answerable:
            continue
        relevant = all(
            xpath.evaluate(expr, context, default=True) for expr in form.relevance_chain(name)
        )
        value = context.get(name)
        if _missing(value):
            if f.required and relevant:
                problems.append(
                    Problem("required answer is missing", scope=form.id, row=row, column=name)
                )
            continue
        if not relevant:
            problems.append(
                Problem(
                    "answered but not relevant", scope=form.id, row=row, column=name, value=value
                )
            )
            continue
        bad_type = _type_problem(f, value)
        if bad_type:
            problems.append(Problem(bad_type, scope=form.id, row=row, column=name, value=value))
        elif f.constraint and not xpath.evaluate(
            f.constraint, context, default=True, current=value
        ):
            message = f.constraint_message.get(form.default_language or "") or next(
                iter(f.constraint_message.values()), "constraint not met"
            )
            problems.append(Problem(message, scope=form.id, row=row, column=name, value=value))


def validate_answers(form: FormDefinition, answers: Mapping[str, Any]) -> list[Problem]:
    """Problems with one submission: ``answers`` maps field names to values; a repeat's answers
    are a list of mappings under the repeat's name (problems carry the 0-based repeat index)."""
    problems: list[Problem] = []
    top = [n for n, f in form.fields.items() if f.repeat is None]
    _check(form, top, answers, None, problems)
    for group in form.repeats:
        instances = answers.get(group.name) or []
        if not isinstance(instances, Sequence) or isinstance(instances, str):
            problems.append(
                Problem("repeat answers must be a list", scope=form.id, column=group.name)
            )
            continue
        inside = [n for n, f in form.fields.items() if f.repeat == group.name]
        for index, instance in enumerate(instances):
            _check(form, inside, {**answers, **instance}, index, problems)
    return problems


# --- the form tree as JSON (stored with each form version) -----------------------------------


def form_to_json(form: FormDefinition) -> dict[str, Any]:
    """The whole definition as plain JSON (groups, repeats, choice lists with their labels)."""
    from dataclasses import asdict

    return {
        "id": form.id,
        "title": form.title,
        "version": form.version,
        "default_language": form.default_language,
        "languages": list(form.languages),
        "fields": [asdict(f) | {"choices": None} for f in form.fields.values()],
        "groups": [asdict(g) for g in form.groups.values()],
        "choices": {k: [asdict(c) for c in v] for k, v in form.choices.items()},
    }


def form_from_json(data: Mapping[str, Any]) -> FormDefinition:
    """The definition ``form_to_json`` wrote."""
    choices = {
        str(k): tuple(Choice(str(c["name"]), dict(c["labels"])) for c in v)
        for k, v in data["choices"].items()
    }
    fields: dict[str, FormField] = {}
    for f in data["fields"]:
        values = {k: v for k, v in f.items() if k != "choices"}
        values["path"] = tuple(values["path"])
        list_name = values.get("list_name")
        fields[str(f["name"])] = FormField(
            **values, choices=choices.get(list_name, ()) if list_name else ()
        )
    groups = {str(g["name"]): FormGroup(**{**g, "path": tuple(g["path"])}) for g in data["groups"]}
    return FormDefinition(
        id=str(data["id"]),
        title=str(data["title"]),
        version=data.get("version"),
        default_language=data.get("default_language"),
        languages=tuple(data["languages"]),
        fields=fields,
        groups=groups,
        choices=choices,
    )
