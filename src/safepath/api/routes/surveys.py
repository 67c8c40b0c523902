"""``/surveys``: stored XLSForm versions and survey rounds; uploads of forms and exports
(multipart, at most ``max_upload_bytes``, checked by the request-size limit); a round's export
through the disclosure policy (refused: 422 ``disclosure_refused``, audited either way)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from safepath.api.routes.case_common import Who, done
from safepath.cells import neutralise_rows
from safepath.errors import InputError, Problem
from safepath.http.db import DB
from safepath.http.responses import RECORD, RECORD_WRITE, SIGNED_IN, WRITE
from safepath.privacy.actor import Actor
from safepath.rounds import service
from safepath.rounds.access import require_rounds
from safepath.rounds.export import export_round
from safepath.rounds.forms import add_form, find_form, list_forms, view
from safepath.settings import get_settings

router = APIRouter(tags=["surveys"], responses=SIGNED_IN)


def _analyst(actor: Who) -> Actor:
    """The caller, when their role reads and imports rounds (checked before the body is read)."""
    require_rounds(actor)
    return actor


Analyst = Annotated[Actor, Depends(_analyst)]
_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".zip"}


async def saved_upload(upload: UploadFile, folder: Path, allowed: set[str]) -> Path:
    name = Path(upload.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"{name}: use one of {', '.join(sorted(allowed))}",
            problems=[Problem("unsupported file type", scope=name)],
        )
    limit = get_settings().max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{name} is larger than {limit} bytes")
    path = folder / name
    path.write_bytes(data)
    return path


@router.get("/surveys/forms")
def forms(db: DB, actor: Analyst) -> list[dict[str, Any]]:
    return [f.as_dict() | {"created_at": f.created_at} for f in list_forms(db)]


@router.post("/surveys/forms", status_code=201, responses=WRITE)
async def upload_form(
    db: DB, actor: Analyst, form: Annotated[UploadFile, File(description="XLSForm workbook")]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = await saved_upload(form, Path(tmp), {".xlsx", ".xlsm"})
        return view(add_form(db, path, by=actor.username).row).as_dict()


@router.get("/surveys/rounds")
def rounds(db: DB, actor: Analyst) -> list[dict[str, Any]]:
    return [r.as_dict() for r in service.list_rounds(db)]


@router.get("/surveys/rounds/{round_name}", responses=RECORD)
def round_detail(db: DB, actor: Analyst, round_name: str) -> dict[str, Any]:
    return service.show_round(db, round_name).as_dict()


@router.post("/surveys/rounds/{round_name}/imports", status_code=201, responses=RECORD_WRITE)
async def import_export(
    db: DB,
    actor: Analyst,
    round_name: str,
    form: Annotated[str, Form(max_length=300, description="stored form: id or id@version")],
    export: Annotated[UploadFile, File(description="Kobo XLSX/CSV export or ODK Central zip")],
    strict: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    row = find_form(db, form)
    # the upload is kept only in a private temporary directory while it is read
    with tempfile.TemporaryDirectory() as tmp:
        path = await saved_upload(export, Path(tmp), _SUFFIXES)
        report = service.import_round(
            db, row, path, round_name=round_name, actor=actor, by=actor.username, strict=strict
        )
    body = report.as_dict()  # personal values in problems are withheld by the reader
    body["issues"] = body["issues"][:500]
    return body


@router.get("/surveys/rounds/{round_name}/export", responses=RECORD)
def export(
    db: DB,
    actor: Analyst,
    round_name: str,
    table: Annotated[str, Query(max_length=100, description="main or a repeat")] = "main",
    format: Literal["csv", "json"] = "csv",
    anonymise: Annotated[
        bool, Query(description="over policy: recode ages, suppress key values")
    ] = False,
    keys: Annotated[
        str | None, Query(max_length=2000, description="key variables to add to the policy's")
    ] = None,
) -> Response:
    """The round's table without its personal columns, within the disclosure policy (or
    anonymised on request); one audit event with the figures and the decision."""
    extra = [k.strip() for k in (keys or "").split(",") if k.strip()]
    result = export_round(db, actor, round_name, table=table, anonymise=anonymise, keys=extra)
    done(db)  # the audit event is kept whatever the decision
    rows = result.released().to_pylist()
    if format == "json":
        return JSONResponse(
            {"disclosure": result.report.figures(), "records": jsonable_encoder(rows)}
        )
    buf = io.StringIO()
    columns = result.released().column_names
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(neutralise_rows(rows))  # no cell is read as a spreadsheet formula
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(round_name)}.csv"'},
    )


def _filename(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80] or "round"
