"""``/surveys``: stored XLSForm versions and survey rounds; uploads of forms and exports
(multipart, at most ``max_upload_bytes``, checked by the request-size limit)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile

from safepath.api.routes.case_common import Who
from safepath.errors import InputError, Problem
from safepath.http.db import DB
from safepath.http.responses import RECORD, RECORD_WRITE, SIGNED_IN, WRITE
from safepath.privacy.actor import Actor
from safepath.rounds import service
from safepath.rounds.access import require_rounds
from safepath.rounds.forms import add_form, find_form, list_forms, view
from safepath.settings import get_settings

router = APIRouter(tags=["surveys"], responses=SIGNED_IN)


def _analyst(actor: Who) -> Actor:
    """The caller, when their role reads and imports rounds (checked before the body is read)."""
    require_rounds(actor)
    return actor


Analyst = Annotated[Actor, Depends(_analyst)]
_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".zip"}


async def _saved(upload: UploadFile, folder: Path, allowed: set[str]) -> Path:
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
        path = await _saved(form, Path(tmp), {".xlsx", ".xlsm"})
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
        path = await _saved(export, Path(tmp), _SUFFIXES)
        report = service.import_round(
            db, row, path, round_name=round_name, actor=actor, by=actor.username, strict=strict
        )
    body = report.as_dict()  # personal values in problems are withheld by the reader
    body["issues"] = body["issues"][:500]
    return body
