"""The attachments section of the case page: the case's files (name, type, size, who added them),
a download link for each, an upload form and a delete button for case staff. Every step goes
through ``safepath.cases.attachments`` (scope, encryption, audit); the upload is read into memory,
never a temporary file (``safepath.http.uploads``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from safepath.cases import access, attachments
from safepath.errors import PayloadTooLarge, SafepathError, UnsupportedMediaType, ValidationFailed
from safepath.http.uploads import download_headers, read_multipart
from safepath.settings import get_settings
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, read_form
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)
AttachmentCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Z]{2}-[0-9A-Z]{1,17}$")]
NOTICES = frozenset({"uploaded", "deleted"})  # ``?attachment=`` after a save


@dataclass(frozen=True)
class AttachmentsPanel:
    rows: list[attachments.AttachmentView]
    can_write: bool
    max_mb: float
    notice: str | None


def panel(page: Page, case_code: str) -> AttachmentsPanel | None:
    """The section for the case page (``None`` for roles that may not read attachments)."""
    if page.actor.role not in attachments.READ:
        return None
    notice = page.request.query_params.get("attachment")
    return AttachmentsPanel(
        attachments.list_for_case(page.db, page.actor, case_code),  # audited
        page.actor.role in access.WORK,
        get_settings().attachment_max_bytes / 1024**2,
        notice if notice in NOTICES else None,
    )


def _in_words(exc: SafepathError, lang: str) -> str:
    """The refusals of an upload, in the reader's language."""
    if isinstance(exc, PayloadTooLarge):
        mb = f"{get_settings().attachment_max_bytes / 1024**2:g}"
        return translate("The file is too large: at most %(mb)s MB.", lang) % {"mb": mb}
    if isinstance(exc, UnsupportedMediaType):
        return translate(
            "This type of file is not accepted: attach a PDF, JPEG, PNG, WebP or HEIC file.", lang
        )
    return exc.message


def _back(page: Page, code: str, exc: SafepathError) -> Response:
    from safepath.web.pages.case import case_page  # the case page renders this section

    page.db.rollback()
    return case_page(page, code, status=exc.status, refused=_in_words(exc, page.lang))


@router.post("/cases/{code}/attachments")
async def upload(page: PageDep, code: str) -> Response:
    await run_in_threadpool(attachments.case_for, page.db, page.actor, code, attachments.WRITE)
    await run_in_threadpool(page.db.commit)  # no connection held while the file arrives
    try:
        form = await read_multipart(page.request, file_limit=get_settings().attachment_max_bytes)
    except SafepathError as exc:
        return _back(page, code, exc)
    page.check_csrf(form.first("csrf_token"))
    upload = form.files.get(attachments.FIELD)
    if upload is None or not upload.content:
        missing = ValidationFailed(translate("Choose a file to attach.", page.lang))
        return _back(page, code, missing)

    def save() -> None:
        attachments.add(page.db, page.actor, code, upload.filename, upload.content)
        page.db.commit()

    try:
        await run_in_threadpool(save)
    except SafepathError as exc:
        if exc.status >= 500 or exc.status in (401, 404):
            raise
        return _back(page, code, exc)
    return see_other(f"/cases/{code}?attachment=uploaded#attachments")


@router.get("/cases/{code}/attachments/{attachment}")
def download(page: PageDep, code: str, attachment: AttachmentCode) -> Response:
    view, content = attachments.download(page.db, page.actor, code, attachment)
    page.db.commit()
    return Response(content, media_type=view.media_type, headers=download_headers(view.name))


@router.post("/cases/{code}/attachments/{attachment}/delete")
async def delete(page: PageDep, code: str, attachment: AttachmentCode) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def run() -> None:
        if first(post, "confirm") != "yes":
            raise ValidationFailed(translate("Tick the box to confirm the deletion.", page.lang))
        attachments.delete(page.db, page.actor, code, attachment)

    _, refused = page.attempt(run)
    if refused is not None:
        from safepath.web.pages.case import case_page

        return case_page(page, code, status=refused.status, refused=refused.message)
    return see_other(f"/cases/{code}?attachment=deleted#attachments")
