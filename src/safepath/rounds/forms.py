"""Stored XLSForm versions: checked, converted, kept as a tree (JSON) in the catalogue.

A form version is its settings ``version`` or, when the form declares none, the first 12
characters of the workbook's SHA-256 (so an edited workbook is another version). Adding the same
workbook again changes nothing; another workbook under a version already stored is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import Conflict, InputError, NotFound, Problem
from safepath.store.models import SurveyForm
from safepath.surveys.formcheck import FormReport, check_form
from safepath.surveys.xlsform import FormDefinition, form_from_json, form_to_json


@dataclass(frozen=True)
class FormView:
    pk: int
    form: str
    version: str
    title: str
    languages: list[str]
    fields: int
    repeats: list[str]
    issues: list[dict[str, Any]]
    created_at: str
    created_by: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "version": self.version,
            "title": self.title,
            "languages": self.languages,
            "fields": self.fields,
            "repeats": self.repeats,
            "issues": self.issues,
        }


def view(row: SurveyForm) -> FormView:
    tree = row.definition
    return FormView(
        pk=row.id,
        form=row.form_id,
        version=row.version,
        title=row.title,
        languages=list(row.languages),
        fields=sum(1 for f in tree["fields"]),
        repeats=[g["name"] for g in tree["groups"] if g["repeat"]],
        issues=list(row.issues),
        created_at=row.created_at.isoformat(timespec="seconds"),
        created_by=row.created_by,
        source=row.source,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Added:
    row: SurveyForm
    report: FormReport
    created: bool


def add_form(session: Session, path: str | Path, *, by: str, strict: bool = False) -> Added:
    """Check and store the workbook at ``path``. Refused (InputError with every problem) when
    pyxform cannot convert it, or with ``strict`` when any check finds a problem."""
    path = Path(path)
    report = check_form(path)
    if report.form is None or (strict and report.issues):
        raise InputError(
            f"{path.name}: {len(report.issues)} problem(s) in the form; first: "
            f"{report.issues[0] if report.issues else 'pyxform could not read it'}",
            problems=report.issues,
        )
    form = report.form
    sha = _sha256(path)
    version = form.version or f"sha-{sha[:12]}"
    existing = session.scalars(
        select(SurveyForm).where(SurveyForm.form_id == form.id, SurveyForm.version == version)
    ).one_or_none()
    if existing is not None:
        if existing.sha256 != sha:
            raise Conflict(
                f"form {form.id!r} version {version!r} is already stored from another workbook; "
                "raise the version on the settings sheet",
                problems=[Problem("version already stored", scope="settings", column="version")],
            )
        return Added(existing, report, False)
    row = SurveyForm(
        form_id=form.id,
        version=version,
        title=form.title,
        languages=list(form.languages),
        definition=form_to_json(form),
        issues=[p.as_dict() for p in report.issues],
        sha256=sha,
        source=path.name[:300],
        created_by=by,
    )
    session.add(row)
    session.flush()
    return Added(row, report, True)


def list_forms(session: Session) -> list[FormView]:
    rows = session.scalars(select(SurveyForm).order_by(SurveyForm.form_id, SurveyForm.id))
    return [view(r) for r in rows]


def find_form(session: Session, ref: str) -> SurveyForm:
    """A stored form by ``id`` (its latest version) or ``id@version``."""
    form_id, _, version = ref.partition("@")
    query = select(SurveyForm).where(SurveyForm.form_id == form_id)
    if version:
        query = query.where(SurveyForm.version == version)
    row = session.scalars(query.order_by(SurveyForm.id.desc())).first()
    if row is None:
        known = ", ".join(sorted(set(session.scalars(select(SurveyForm.form_id))))) or "none"
        raise NotFound(
            f"no stored form {ref!r} (stored: {known}); add it with `safepath forms add`"
        )
    return row


def resolve_form(session: Session, ref: str, *, by: str) -> SurveyForm:
    """``ref`` as a stored form, or an XLSForm file (added first when it is not stored yet)."""
    path = Path(ref)
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm") and path.is_file():
        return add_form(session, path, by=by).row
    return find_form(session, ref)


_CACHE: dict[tuple[int, str], FormDefinition] = {}


def definition(row: SurveyForm) -> FormDefinition:
    key = (row.id, row.sha256)
    if key not in _CACHE:
        _CACHE[key] = form_from_json(row.definition)
    return _CACHE[key]
