"""``/cases/{code}/attachments``: files on a case (a scanned document, a photo), encrypted.

The upload is ``multipart/form-data`` with the file in the field ``file``; it is read into memory
(never a temporary file: ``safepath.http.uploads``) after the role and scope checks, so a caller
who may not attach learns nothing and sends nothing. Refusals name the field: 413 over
``SAFEPATH_ATTACHMENT_MAX_BYTES``, 415 for a type not accepted (told by the content).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from safepath.api.routes.case_common import Who, done
from safepath.cases import attachments
from safepath.cases.file_types import ACCEPTED, EXTENSIONS
from safepath.errors import ValidationFailed
from safepath.http.db import DB
from safepath.http.responses import RECORD, RECORD_WRITE, SIGNED_IN, errors, merged
from safepath.http.uploads import download_headers, read_multipart
from safepath.settings import get_settings

router = APIRouter(prefix="/cases", tags=["attachments"], responses=SIGNED_IN)
AttachmentCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Z]{2}-[0-9A-Z]{1,17}$")]

# the download is one of the accepted types, told by its content when it was uploaded
_FILE_TYPES = {t: {"schema": {"type": "string", "format": "binary"}} for t in EXTENSIONS}
_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [attachments.FIELD],
                    "properties": {
                        attachments.FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": f"a {ACCEPTED} file, at most "
                            "SAFEPATH_ATTACHMENT_MAX_BYTES (10 MiB by default)",
                        }
                    },
                }
            }
        },
    }
}


@router.get("/{code}/attachments", responses=RECORD)
def list_attachments(db: DB, actor: Who, code: str) -> dict[str, Any]:
    """The case's attachments, newest first (name, type, size; not the content)."""
    found = attachments.list_for_case(db, actor, code)
    done(db)
    return {"attachments": [a.as_dict() for a in found]}


@router.post(
    "/{code}/attachments",
    status_code=201,
    responses=merged(RECORD_WRITE, errors(400, 415)),
    openapi_extra=_UPLOAD,
)
async def upload_attachment(request: Request, db: DB, actor: Who, code: str) -> JSONResponse:
    """Attach a file to the case; it is stored encrypted, with its name."""
    await run_in_threadpool(attachments.case_for, db, actor, code, attachments.WRITE)
    # a phone may take minutes to send 10 MiB: no connection is held while it does
    await run_in_threadpool(done, db)
    form = await read_multipart(request, file_limit=get_settings().attachment_max_bytes)
    upload = form.files.get(attachments.FIELD)
    if upload is None:
        raise ValidationFailed(
            f"{attachments.FIELD}: send the file in the form field {attachments.FIELD!r}"
        )

    def save() -> attachments.AttachmentView:
        view = attachments.add(db, actor, code, upload.filename, upload.content)
        done(db)
        return view

    view = await run_in_threadpool(save)
    return JSONResponse(
        view.as_dict(),
        status_code=201,
        headers={"Location": f"{request.url.path}/{view.code}"},
    )


@router.get(
    "/{code}/attachments/{attachment}",
    responses=merged(RECORD, {200: {"description": "The file", "content": _FILE_TYPES}}),
    response_class=Response,
)
def download_attachment(db: DB, actor: Who, code: str, attachment: AttachmentCode) -> Response:
    """The file itself, decrypted, as a download."""
    view, content = attachments.download(db, actor, code, attachment)
    done(db)
    return Response(content, media_type=view.media_type, headers=download_headers(view.name))


@router.delete("/{code}/attachments/{attachment}", status_code=204, responses=RECORD_WRITE)
def delete_attachment(db: DB, actor: Who, code: str, attachment: AttachmentCode) -> Response:
    """Delete the file: its row and its ciphertext."""
    attachments.delete(db, actor, code, attachment)
    done(db)
    return Response(status_code=204)
