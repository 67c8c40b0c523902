"""One exception hierarchy. Each class carries the HTTP status and a stable error code.

The API and the web pages turn these into one JSON error shape (or an HTML page) in one handler;
the CLI prints ``message`` and exits non-zero.

Messages are raised in English; each has a stable id and a template in ``error_messages.yaml``.
``message`` reads in the language of whoever is served: the layer that negotiates the language and
holds the catalogues (``safepath.web.i18n``) installs a reader for the request; without one (the
CLI, a background job) messages stay in English.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

# English template -> the reader's translation of it (the template itself when it has none)
Reader = Callable[[str], str]
_reader: ContextVar[Reader | None] = ContextVar("safepath_message_reader", default=None)


@contextmanager
def reading_with(reader: Reader | None) -> Iterator[None]:
    """Messages read through ``reader`` (a translation of templates) inside the block."""
    token = _reader.set(reader)
    try:
        yield
    finally:
        _reader.reset(token)


def current_reader() -> Reader | None:
    """The reader installed for whoever is served (None: English, as raised)."""
    return _reader.get()


@dataclass(frozen=True)
class MessageTemplate:
    id: str
    english: str
    literals: tuple[str, ...]  # the text around the placeholders: one more than the fields
    fields: tuple[str, ...]
    weight: int  # characters of literal text: the most specific template wins a tie

    def values(self, text: str) -> tuple[str, ...] | None:
        """The values ``text`` put in this template, or None if it was not made from it. Read
        left to right with plain searches (each value ends where the next literal first occurs):
        linear in the text, where a regular expression with several open groups is not."""
        if not self.fields:
            return () if text == self.literals[0] else None
        head, *middle, tail = self.literals
        if len(text) < len(head) + len(tail) or not text.startswith(head):
            return None
        if not text.endswith(tail):
            return None
        pos, end = len(head), len(text) - len(tail)
        found: list[str] = []
        for literal in middle:
            at = text.find(literal, pos, end)
            if at < 0:
                return None
            found.append(text[pos:at])
            pos = at + len(literal)
        found.append(text[pos:end])
        return tuple(found)


def _compile(message_id: str, english: str) -> MessageTemplate:
    literals: list[str] = [""]
    names: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(english):
        literals[-1] += literal
        if name is not None:
            names.append(name)
            literals.append("")
    weight = sum(len(x) for x in literals)
    return MessageTemplate(message_id, english, tuple(literals), tuple(names), weight)


@lru_cache(maxsize=1)
def message_templates() -> tuple[MessageTemplate, ...]:
    text = (files("safepath") / "error_messages.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["messages"]
    return tuple(_compile(str(e["id"]), str(e["en"])) for e in entries)


@lru_cache(maxsize=4096)
def identify(text: str) -> tuple[MessageTemplate, tuple[tuple[str, str], ...]] | None:
    """The template an English message was made from, and the values put in it."""
    best: tuple[MessageTemplate, tuple[tuple[str, str], ...]] | None = None
    for tmpl in message_templates():
        if best is not None and tmpl.weight <= best[0].weight:
            continue
        found = tmpl.values(text)
        if found is not None:
            best = (tmpl, tuple(zip(tmpl.fields, found, strict=True)))
    return best


def localise(text: str, reader: Reader | None = None) -> str:
    """``text`` (an English message) in the reader's language; as it is when unknown there. The
    values put in it are read too: a message can carry another (a summary and its first problem)."""
    reader = reader or _reader.get()
    if reader is None:
        return text
    found = identify(text)
    if found is None:
        return text
    tmpl, values = found
    target = reader(tmpl.english)
    if target == tmpl.english:
        return text
    try:
        return target.format(**{name: localise(v, reader) for name, v in values})
    except (KeyError, IndexError, ValueError):  # a catalogue entry with a wrong placeholder
        return text


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: which scope, row, column and value, and why."""

    message: str
    scope: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [
            p
            for p in (
                self.scope,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column!r}" if self.column else None,
            )
            if p
        ]
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    @property
    def message_id(self) -> str | None:
        found = identify(self.message)
        return found[0].id if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("scope", self.scope),
                ("row", self.row),
                ("column", self.column),
                ("value", self.value),
                ("message", localise(self.message)),
            )
            if v is not None
        }


class SafepathError(Exception):
    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.english = message
        self.problems: list[Problem] = problems or []
        self.reader: Reader | None = None  # a page's own language, set where the page knows it

    @property
    def message(self) -> str:
        """In the reader's language (English when no reader is installed)."""
        return localise(self.english, self.reader)

    @message.setter
    def message(self, value: str) -> None:
        self.english = value

    @property
    def message_id(self) -> str | None:
        """The stable id of the message (``error_messages.yaml``); None for one not listed."""
        found = identify(self.english)
        return found[0].id if found else None

    @property
    def params(self) -> dict[str, str]:
        """The values the message was made with, by placeholder name."""
        found = identify(self.english)
        return dict(found[1]) if found else {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return {"error": body}


class ValidationFailed(SafepathError):
    status = 422
    code = "validation_failed"


class InputError(ValidationFailed):
    """An input file or payload that cannot be used as it is (problems say where)."""

    code = "invalid_input"


class NotFound(SafepathError):
    status = 404
    code = "not_found"


class NotAuthenticated(SafepathError):
    status = 401
    code = "not_authenticated"


class Forbidden(SafepathError):
    status = 403
    code = "forbidden"


class Conflict(SafepathError):
    status = 409
    code = "conflict"


class PreconditionFailed(SafepathError):
    """A write based on a version that is no longer current (If-Match / the form's ``version``).

    When the current version is known it is in the error body as ``current_version`` (beside
    ``code`` and ``message``) and in the ``ETag`` header: the client reloads that version."""

    status = 412
    code = "precondition_failed"

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(message, problems=problems)
        self.current_version = current_version
        self.headers = {"ETag": f'"{current_version}"'} if current_version is not None else None

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.current_version is not None:
            body["error"]["current_version"] = self.current_version
        return body


class PreconditionRequired(SafepathError):
    """A write sent without the version it is based on (no If-Match, no form ``version``)."""

    status = 428
    code = "precondition_required"


class PayloadTooLarge(SafepathError):
    """An upload over its size limit (the problem names the field)."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(SafepathError):
    """An upload of a type that is not accepted (told by its content, not by its name)."""

    status = 415
    code = "unsupported_media_type"


class TooManyRequests(SafepathError):
    status = 429
    code = "too_many_requests"


class ConfigurationError(SafepathError):
    status = 500
    code = "configuration_error"


@dataclass
class ProblemCollector:
    """Collects problems across a whole input so they are reported together."""

    scope: str | None = None
    limit: int = 50
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(
        self, message: str, *, row: int | None = None, column: str | None = None, value: Any = None
    ) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(message, self.scope, row, column, value))

    def raise_if_any(self, summary: str) -> None:
        if self.total:
            more = (
                f" (showing {len(self.problems)} of {self.total})"
                if self.total > self.limit
                else ""
            )
            raise InputError(
                f"{summary}: {self.total} problem(s){more}; first: {self.problems[0]}",
                problems=list(self.problems),
            )
