"""``/sdc``: disclosure risk and anonymisation (sdcMicro's measures) of a stored round or of an
uploaded microdata file (multipart, at most ``max_upload_bytes``); the analysts' roles.

Anonymising a stored round is an export: through the disclosure policy and audited (refused:
422 ``disclosure_refused`` with the figures, the refusal recorded too)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.encoders import jsonable_encoder

from safepath.api.routes.case_common import done
from safepath.api.routes.surveys import Analyst, saved_upload
from safepath.errors import InputError
from safepath.http.db import DB
from safepath.http.responses import RECORD_WRITE, SIGNED_IN
from safepath.rounds import sdc

router = APIRouter(prefix="/sdc", tags=["disclosure control"], responses=SIGNED_IN)
_SUFFIXES = {".csv", ".xlsx", ".parquet"}

RoundField = Annotated[
    str | None, Form(max_length=200, description="a stored round (or send a file)")
]
TableField = Annotated[str, Form(max_length=100, description="the round's table: main or a repeat")]
FileField = Annotated[UploadFile | None, File(description="microdata file (.csv, .xlsx, .parquet)")]
KeysField = Annotated[
    str, Form(min_length=1, max_length=2000, description="key variables, comma-separated")
]
NameField = Annotated[str | None, Form(max_length=200)]


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _upload_or_none(file: UploadFile | None, round_name: str | None) -> UploadFile | None:
    if (file is None) == (not round_name):
        raise InputError("send either a microdata file or the name of a stored round")
    return file


@router.post("/risk", responses=RECORD_WRITE)
async def risk(
    db: DB,
    actor: Analyst,
    keys: KeysField,
    round: RoundField = None,
    table: TableField = "main",
    file: FileField = None,
    weight: NameField = None,
    household: NameField = None,
    method: Annotated[Literal["approx", "exact"], Form()] = "approx",
    qual: Annotated[float, Form(gt=0, le=1000)] = 1.0,
    records: Annotated[bool, Form(description="list every record's fk, Fk and risk")] = False,
) -> dict[str, Any]:
    """fk, Fk and individual risk, global risk, expected re-identifications, k-anonymity
    violations (k = 2, 3, 5); a missing key value matches any category (sdcMicro)."""
    key_list = _names(keys)
    upload = _upload_or_none(file, round)
    if upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = await saved_upload(upload, Path(tmp), _SUFFIXES)
            data = sdc.read_upload(path, [*key_list, weight or "", household or ""])
        source = path.name
    else:
        assert round is not None
        data, source = sdc.round_data(db, actor, round, table), f"round {round}"
    return sdc.measure(
        data,
        key_list,
        weight=weight or None,
        household=household or None,
        method=method,
        qual=qual,
        records=records,
        source=source,
    )


@router.post("/anonymise", responses=RECORD_WRITE)
async def anonymise(
    db: DB,
    actor: Analyst,
    keys: KeysField,
    round: RoundField = None,
    table: TableField = "main",
    file: FileField = None,
    k: Annotated[int, Form(ge=2, le=100)] = 3,
    importance: Annotated[str | None, Form(max_length=2000)] = None,
    weight: NameField = None,
) -> dict[str, Any]:
    """Local suppression to k-anonymity, least important keys first: the summary (suppressions
    per variable, the risk before and after) and the records. A stored round goes through the
    export policy (its keys plus these, k at least the policy's) and is audited."""
    key_list, order = _names(keys), _names(importance) or None
    upload = _upload_or_none(file, round)
    if upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = await saved_upload(upload, Path(tmp), _SUFFIXES)
            data = sdc.read_upload(path, [*key_list, weight or ""])
        _check_size(data.num_rows, path.name)
        out, summary = sdc.anonymise_upload(
            data, key_list, k=k, importance=order, weight=weight or None, source=path.name
        )
        return {**summary, "records": jsonable_encoder(out.to_pylist())}
    assert round is not None
    if weight:
        raise InputError("a stored round is weighted as the disclosure policy says: drop weight")
    _check_size(sdc.round_data(db, actor, round, table).num_rows, f"round {round}")
    result = sdc.anonymise_round(
        db, actor, round, keys=key_list, k=k, importance=order, table=table
    )
    done(db)  # the audit event is kept whatever the decision
    released = result.released()
    body = {"source": f"round {round}", **result.report.figures()}
    return {**body, "records": jsonable_encoder(released.to_pylist())}


def _check_size(rows: int, source: str) -> None:
    if rows > sdc.MAX_RECORDS_SHOWN:
        raise InputError(
            f"{source} has {rows} records, more than an answer lists "
            f"({sdc.MAX_RECORDS_SHOWN}): export the round as CSV with anonymise=true"
        )
