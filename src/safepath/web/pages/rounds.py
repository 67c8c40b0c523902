"""Analyst view of the stored survey rounds: each round's form, tables and row counts, and the
problems its imports found (personal values withheld by the importer); an upload of a form and
an export that imports in the background (``safepath.rounds.jobs``) while a page shows its
progress, then the round."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from safepath.cells import neutralise_rows
from safepath.errors import NotFound, SafepathError
from safepath.risk import list_models
from safepath.rounds import jobs, scoring, service
from safepath.rounds.forms import find_form, list_forms
from safepath.settings import get_settings
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)
SHOWN_PROBLEMS = 200
EXPORT_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".zip")
FORM_SUFFIXES = (".xlsx", ".xlsm")
_CHUNK = 1 << 20


def _rounds_page(
    page: Page,
    round: str | None = None,
    model: str | None = None,
    *,
    status: int = 200,
    refused: str | None = None,
) -> Response:
    listed = service.list_rounds(page.db)
    chosen = None
    if round and any(r.name == round for r in listed):
        chosen = service.show_round(page.db, round)
    problems = chosen.imports[-1].get("issues", [])[:SHOWN_PROBLEMS] if chosen else []
    models = list_models()
    score, error = None, None
    if chosen is not None and model in models:
        try:
            score = scoring.score_round(page.db, chosen.name, str(model))
        except SafepathError as exc:
            error = exc.message
    return page.render(
        "rounds.html",
        status=status,
        rounds=listed,
        chosen=chosen,
        problems=problems,
        shown=SHOWN_PROBLEMS,
        models=models,
        model=model,
        score=score,
        error=error,
        forms=list_forms(page.db),
        max_upload_mb=get_settings().max_upload_bytes / 1024**2,
        refused=refused,
    )


@router.get("/analysis/rounds")
def rounds(page: PageDep, round: str | None = None, model: str | None = None) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
    return _rounds_page(page, round, model)


async def _save(upload: UploadFile, folder: Path, name: str) -> Path:
    """The upload copied into the job's private directory, a megabyte at a time (the request
    size limit already bounds it)."""
    path = folder / name
    with path.open("xb") as fh:
        while chunk := await upload.read(_CHUNK):
            fh.write(chunk)
    path.chmod(0o600)
    return path


def _name(upload: UploadFile, default: str, suffix: str) -> str:
    """The uploaded file's own name (the round and the form id default to it), made safe."""
    stem = re.sub(r"[^\w.-]+", "_", Path(str(upload.filename)).stem).strip("._")[:100]
    return f"{stem or default}{suffix}"


def _suffix(upload: Any, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    suffix = Path(upload.filename).suffix.lower()
    return suffix if suffix in allowed else None


@router.post("/analysis/rounds/imports")
async def start_import(page: PageDep) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
    lang = page.lang
    async with page.request.form(max_part_size=64 * 1024) as form:
        page.check_csrf(str(form.get("csrf_token") or ""))
        export, form_file = form.get("export"), form.get("form_file")
        form_ref = str(form.get("form") or "").strip()
        round_name = str(form.get("round") or "").strip()[:200]
        strict = form.get("strict") is not None
        export_suffix = _suffix(export, EXPORT_SUFFIXES)
        form_suffix = _suffix(form_file, FORM_SUFFIXES)
        if export_suffix is None:
            refused = translate(
                "Choose an export: a Kobo XLSX or CSV file or an ODK Central zip.", lang
            )
            return _rounds_page(page, status=422, refused=refused)
        has_form_file = isinstance(form_file, UploadFile) and bool(form_file.filename)
        if (has_form_file and form_suffix is None) or (not has_form_file and not form_ref):
            refused = translate("Choose a stored form or upload its XLSForm workbook.", lang)
            return _rounds_page(page, status=422, refused=refused)
        if form_ref and not has_form_file:
            try:
                find_form(page.db, form_ref)
            except SafepathError as exc:
                return _rounds_page(page, status=exc.status, refused=exc.message)
        assert isinstance(export, UploadFile)
        job_id, folder = jobs.new_job()
        saved = await _save(export, folder, _name(export, "export", export_suffix))
        saved_form = None
        if has_form_file:  # in a folder of its own: pyxform takes a missing form_id from the name
            assert isinstance(form_file, UploadFile) and form_suffix is not None
            (folder / "form").mkdir(mode=0o700)
            saved_form = await _save(
                form_file, folder / "form", _name(form_file, "form", form_suffix)
            )
    jobs.start_import(
        job_id,
        actor=page.actor,
        round_name=round_name or None,
        export=saved,
        form_ref=None if saved_form else form_ref,
        form_file=saved_form,
        strict=strict,
    )
    return see_other(f"/analysis/rounds/imports/{job_id}")


@router.get("/analysis/rounds/imports/{job}")
def import_progress(page: PageDep, job: str) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
    view = jobs.get_job(job, page.actor)
    if view.state == "done":
        return see_other(f"/analysis/rounds?round={_quote(view.round)}")
    percent = None
    if view.total:
        percent = min(100, round(100 * view.rows_read / view.total))
    return page.render(
        "round_import.html",
        status=422 if view.state == "failed" else 200,
        job=view,
        percent=percent,
        shown=SHOWN_PROBLEMS,
    )


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _problems_csv(problems: list[dict[str, Any]], filename: str) -> Response:
    rows = [
        {
            "table": p.get("scope"),
            "row": p.get("row"),
            "column": p.get("column"),
            "value": p.get("value"),
            "message": p.get("message"),
        }
        for p in problems
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["table", "row", "column", "value", "message"])
    writer.writeheader()
    writer.writerows(neutralise_rows(rows))  # no live formula in a spreadsheet
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/analysis/rounds/problems.csv")
def round_problems(page: PageDep, round: str) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
    view = service.show_round(page.db, round)
    if not view.imports:
        raise NotFound(f"round {round!r} has no import")
    return _problems_csv(view.imports[-1].get("issues", []), "problems.csv")


@router.get("/analysis/rounds/imports/{job}/problems.csv")
def import_problems(page: PageDep, job: str) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
    view = jobs.get_job(job, page.actor)
    problems = view.problems or (view.report or {}).get("issues", [])
    return _problems_csv(problems, "problems.csv")
