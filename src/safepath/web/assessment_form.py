"""An XLSForm definition as an HTML form: the tree of groups, repeats and questions in the
user's language, the submitted answers read back from the form post, and the validation problems
placed next to the questions they concern.

Validation is ``safepath.surveys.xlsform.validate_answers`` (the same check the case service
runs); this module only maps between HTML form fields and answers. Field names in the HTML are
``name`` for top-level questions and ``repeat.index.name`` inside a repeat, so the form works as a
plain POST without JavaScript; adding or removing a household member is a submit button too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safepath.errors import Problem
from safepath.surveys import xpath
from safepath.surveys.xlsform import FormDefinition, FormField, FormGroup, validate_answers

HIDDEN_TYPES = {"start", "end", "today", "deviceid", "calculate", "audit", "username"}
MAX_REPEAT = 50
LONG_LIST = 20  # more choices than this: a drop-down, sorted by name in the reader's language
_SUM = re.compile(r"^\s*sum\(\s*\$\{([\w.-]+)\}\s*\)\s*$")
# Constraints simple enough to hand to the browser as HTML attributes (instant, inline feedback);
# the server still checks every constraint.
_RANGE = re.compile(r"^\s*\.\s*>=\s*(-?\d+)\s+and\s+\.\s*<=\s*(-?\d+)\s*$")
_REGEX = re.compile(r"^\s*regex\(\s*\.\s*,\s*'\^?([^']*?)\$?'\s*\)\s*$")


def label(labels: Mapping[str, str], lang: str) -> str:
    """The label in ``lang`` (XLSForm keys like ``Français (fr)``), else English, else any."""
    for key, text in labels.items():
        if key == lang or key.endswith(f"({lang})"):
            return text
    for key, text in labels.items():
        if key in ("default", "English", "en") or key.endswith("(en)"):
            return text
    return next(iter(labels.values()), "")


@dataclass
class Question:
    field: FormField
    html_name: str
    label: str
    value: Any
    error: str | None
    choices: list[tuple[str, str]]
    relevant: str | None
    always_asked: bool = True  # no relevance around it: the browser may insist on an answer

    @property
    def drop_down(self) -> bool:
        """A long single choice (the nationality list) is a drop-down, not a wall of radios."""
        return self.type == "select_one" and len(self.choices) > LONG_LIST

    @property
    def type(self) -> str:
        return self.field.type

    @property
    def html_required(self) -> bool:
        return self.field.required and self.always_asked

    @property
    def html_range(self) -> tuple[str, str] | None:
        match = _RANGE.match(self.field.constraint or "")
        return (match.group(1), match.group(2)) if match else None

    @property
    def html_pattern(self) -> str | None:
        match = _REGEX.match(self.field.constraint or "")
        return match.group(1) if match else None

    @property
    def selected(self) -> set[str]:
        if self.value is None:
            return set()
        return set(str(self.value).split()) if self.type == "select_multiple" else {str(self.value)}


@dataclass
class Section:
    group: FormGroup | None
    label: str
    relevant: str | None
    items: list[Question | Section] = field(default_factory=list)
    instances: list[list[Question | Section]] = field(default_factory=list)  # repeats only
    index: int | None = None

    @property
    def repeat(self) -> bool:
        return bool(self.group and self.group.repeat)


def _members(form: FormDefinition, repeat: str) -> list[FormField]:
    return [f for f in form.fields.values() if f.repeat == repeat]


def read_answers(
    form: FormDefinition, post: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Answers from a form post (``post`` maps a name to all its values), and how many instances
    of each repeat were on the page. Calculations the questionnaire defines per household member,
    and their ``sum()`` across members, are computed as a form client would."""
    answers: dict[str, Any] = {}
    for f in form.fields.values():
        if f.repeat is not None or not f.answerable:
            continue
        values = [v.strip() for v in post.get(f.name, []) if v.strip()]
        if values:
            answers[f.name] = " ".join(values) if f.type == "select_multiple" else values[0]
    counts: dict[str, int] = {}
    for group in form.repeats:
        n = _count(post, group.name)
        counts[group.name] = n
        instances: list[dict[str, Any]] = []
        for i in range(n):
            inst: dict[str, Any] = {}
            for f in _members(form, group.name):
                if not f.answerable:
                    continue
                values = [
                    v.strip() for v in post.get(f"{group.name}.{i}.{f.name}", []) if v.strip()
                ]
                if values:
                    inst[f.name] = " ".join(values) if f.type == "select_multiple" else values[0]
            for f in _members(form, group.name):
                if f.type == "calculate" and f.calculation:
                    inst[f.name] = int(
                        xpath.evaluate(f.calculation, {**answers, **inst}, default=False)
                    )
            instances.append(inst)
        if instances:
            answers[group.name] = instances
    for f in form.fields.values():
        match = _SUM.match(f.calculation or "") if f.repeat is None else None
        if match:
            target = form.fields.get(match.group(1))
            if target is not None and target.repeat:
                answers[f.name] = sum(
                    int(i.get(target.name) or 0) for i in answers.get(target.repeat, [])
                )
    return answers, counts


def _count(post: Mapping[str, Sequence[str]], repeat: str) -> int:
    raw = (post.get(f"{repeat}.count") or ["0"])[0]
    try:
        n = int(raw)
    except ValueError:
        n = 0
    return max(0, min(n, MAX_REPEAT))


def relevant(form: FormDefinition, name: str, context: Mapping[str, Any]) -> bool:
    return all(xpath.evaluate(e, context, default=True) for e in form.relevance_chain(name))


def drop_irrelevant(form: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers to questions that are not relevant are discarded (as an ODK client does), so an
    answer left behind after changing an earlier one is not held against the person."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        f = form.fields.get(key)
        if f is not None and f.repeat is None and not relevant(form, key, answers):
            continue
        if isinstance(value, list):
            value = [
                {
                    k: v
                    for k, v in inst.items()
                    if k not in form.fields or relevant(form, k, {**answers, **inst})
                }
                for inst in value
            ]
        out[key] = value
    return out


def check(form: FormDefinition, answers: Mapping[str, Any]) -> list[Problem]:
    return validate_answers(form, answers)


def errors_by_field(form: FormDefinition, problems: Sequence[Problem]) -> dict[str, str]:
    """Problems keyed by the HTML field name they belong to."""
    out: dict[str, str] = {}
    for p in problems:
        f = form.fields.get(str(p.column)) if p.column else None
        if f is None:
            continue
        key = f.name if p.row is None or not f.repeat else f"{f.repeat}.{p.row}.{f.name}"
        out.setdefault(key, p.message)
    return out


def build(
    form: FormDefinition,
    lang: str,
    answers: Mapping[str, Any],
    errors: Mapping[str, str],
    counts: Mapping[str, int],
) -> Section:
    """The form as a tree of sections and questions, with the answers and errors in place."""
    root = Section(None, form.title, None)
    sections: dict[tuple[str, ...], Section] = {(): root}

    def section_for(path: tuple[str, ...]) -> Section:
        if path in sections:
            return sections[path]
        parent = section_for(path[:-1])
        group = form.groups[path[-1]]
        sec = Section(group, label(group.labels, lang), group.relevant)
        parent.items.append(sec)
        sections[path] = sec
        return sec

    for f in form.fields.values():
        if f.type in HIDDEN_TYPES or f.repeat is not None:
            if f.repeat is not None:
                section_for(f.path)  # keep the repeat's place in the order
            continue
        q = _question(f, f.name, lang, answers.get(f.name), errors)
        q.always_asked = not form.relevance_chain(f.name)
        section_for(f.path).items.append(q)
    for group in form.repeats:
        sec = sections.get(_path_of(form, group.name))
        if sec is None:
            continue
        given = answers.get(group.name) or []
        n = counts.get(group.name, len(given))
        for i in range(n):
            inst = given[i] if i < len(given) else {}
            questions: list[Question | Section] = []
            for f in _members(form, group.name):
                if f.type in HIDDEN_TYPES:
                    continue
                q = _question(f, f"{group.name}.{i}.{f.name}", lang, inst.get(f.name), errors)
                q.always_asked = not form.relevance_chain(f.name)
                questions.append(q)
            sec.instances.append(questions)
    return root


def _path_of(form: FormDefinition, group_name: str) -> tuple[str, ...]:
    g = form.groups[group_name]
    return (*g.path, g.name)


def _question(
    f: FormField, html_name: str, lang: str, value: Any, errors: Mapping[str, str]
) -> Question:
    return Question(
        field=f,
        html_name=html_name,
        label=label(f.labels, lang),
        value=value,
        error=errors.get(html_name),
        choices=_choices(f, lang),
        relevant=f.relevant,
    )


def _sort_key(text: str) -> str:
    """Accents do not move a name to the end ("Égypte" sorts with the E's, "Åland" with A)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _choices(f: FormField, lang: str) -> list[tuple[str, str]]:
    named = [(c.name, label(c.labels, lang)) for c in f.choices]
    if f.type == "select_one" and len(named) > LONG_LIST:
        named.sort(key=lambda c: _sort_key(c[1]))  # findable by name in every language
    return named
