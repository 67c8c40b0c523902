"""Administration of the services directory and of places: an admin adds and edits the services
of their own agency (``safepath.directory``), lists places and imports a place-code table with the
importer of ``safepath places import`` (a dry run first). Every change is audited."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from starlette.datastructures import UploadFile

from safepath.directory import ServiceIn, services_of, upsert_service
from safepath.errors import Forbidden, InputError, SafepathError, ValidationFailed, localise
from safepath.framework import catalogue
from safepath.places import ImportReport, import_places, read_place_table
from safepath.places.lookup import place_choices, resolve_place
from safepath.privacy import audit, identity, policy
from safepath.settings import get_settings
from safepath.store.models import Place
from safepath.web import form_errors, menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, read_form
from safepath.web.i18n import reader, translate

router = APIRouter(include_in_schema=False)

SERVICE_FIELDS = ("code", "name", "thematic_area", "contact", "eligibility")
PLACES_PER_PAGE = 100


def _admin(page: Page, path: str) -> None:
    page.require(*menu.opens(path))
    policy.require(page.actor, "users.manage")


# --- services --------------------------------------------------------------------------------


@router.get("/admin/services")
def services(page: PageDep, edit: str | None = None, saved: str | None = None) -> Response:
    _admin(page, "/admin/services")
    own = identity.managed_agency(page.db, page.actor)
    values: dict[str, str] = {}
    places: list[str] = []
    if edit:
        found = [s for s in services_of(page.db, own) if s.code == edit]
        if found:  # only the own agency's services can be opened for editing
            svc = found[0]
            values = {f: str(getattr(svc, f) or "") for f in SERVICE_FIELDS}
            places = [c.pcode for c in svc.coverage]
    return _services_page(page, own, values, places, {}, saved=saved)


def _services_page(
    page: Page,
    own: str,
    values: dict[str, str],
    places: list[str],
    errors: dict[str, str],
    *,
    status: int = 200,
    refused: str | None = None,
    saved: str | None = None,
) -> Response:
    rows = [
        {
            "organisation": s.organisation.code,
            "code": s.code,
            "name": s.name,
            "thematic_area": s.thematic_area,
            "places": [c.pcode for c in s.coverage],
            "contact": s.contact or "",
        }
        for s in services_of(page.db, own)
    ]
    return page.render(
        "admin_services.html",
        status=status,
        agency=own,
        services=rows,
        values=values,
        chosen_places=[*places, "", ""],
        errors=errors,
        places=place_choices(page.db),
        refused=refused,
        saved=saved,
    )


def _in_words(exc: SafepathError, lang: str) -> str:
    return localise(exc.message, reader(lang))


@router.post("/admin/services")
async def save_service(page: PageDep) -> Response:
    """Add a service to the own agency's directory, or update one of its services (by code)."""
    _admin(page, "/admin/services")
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    own = identity.managed_agency(page.db, page.actor)
    organisation = first(post, "organisation")
    if organisation and organisation != own:
        raise Forbidden("an admin manages only the services of their own agency")
    lang = page.lang
    values = {f: (first(post, f) or "").strip() for f in SERVICE_FIELDS}
    typed = [p.strip() for p in post.get("places", []) if p.strip()]
    errors, pcodes = _check(page, values, typed, lang)
    data: ServiceIn | None = None
    try:
        data = ServiceIn(
            code=values["code"],
            name=values["name"],
            thematic_area=values["thematic_area"],
            contact=values["contact"] or None,
            eligibility=values["eligibility"] or None,
            places=pcodes,
        )
    except ValidationError as exc:
        errors = form_errors.field_errors(exc, lang) | errors
    if errors or data is None:
        message = translate("The service is not saved: correct the fields marked.", lang)
        return _services_page(page, own, values, typed, errors, status=422, refused=message)
    service_in = data
    existing = {s.code for s in services_of(page.db, own)}

    def write() -> None:
        svc = upsert_service(page.db, own, service_in)
        action = "update" if service_in.code in existing else "create"
        fields = (*SERVICE_FIELDS, "places")
        audit.record(page.db, page.actor, action, "service", svc.id, fields=fields)

    _, refused = page.attempt(write)
    if refused is not None:
        return _services_page(
            page, own, values, typed, {}, status=refused.status, refused=refused.message
        )
    return see_other(f"/admin/services?saved={service_in.code}")


def _check(
    page: Page, values: dict[str, str], typed: list[str], lang: str
) -> tuple[dict[str, str], list[str]]:
    """The directory's own checks, each named by its field: the thematic area from the
    catalogue, every place a known P-code or name (as the registration's place picker)."""
    errors: dict[str, str] = {}
    area = values["thematic_area"]
    if area and not catalogue().has("thematic_areas", area):
        bad = ValidationFailed(f"thematic area {area!r} is not in the catalogue")
        errors["thematic_area"] = _in_words(bad, lang)
    pcodes: list[str] = []
    for text in typed:
        try:
            pcodes.append(resolve_place(page.db, text, field="places"))
        except InputError as exc:
            errors.setdefault("places", _in_words(exc, lang))
    return errors, pcodes


# --- places ----------------------------------------------------------------------------------


@router.get("/admin/places")
def places(page: PageDep, q: str = "", p: int = 1) -> Response:
    _admin(page, "/admin/places")
    return _places_page(page, q, p)


def _places_page(
    page: Page,
    q: str,
    number: int,
    *,
    status: int = 200,
    refused: str | None = None,
    problems: list[str] | None = None,
    report: ImportReport | None = None,
    applied: bool = False,
    file_name: str = "",
) -> Response:
    stmt = select(Place.pcode, Place.name, Place.level, Place.parent_pcode)
    count = select(func.count()).select_from(Place)
    text = q.strip()[:200]
    if text:  # a P-code or a name, in any case
        match = or_(
            func.upper(Place.pcode).startswith(text.upper(), autoescape=True),
            func.lower(Place.name).contains(text.casefold(), autoescape=True),
        )
        stmt, count = stmt.where(match), count.where(match)
    total = page.db.scalar(count) or 0
    pages = max(1, -(-total // PLACES_PER_PAGE))
    number = min(max(1, number), pages)
    rows = page.db.execute(
        stmt.order_by(Place.level, Place.pcode)
        .offset((number - 1) * PLACES_PER_PAGE)
        .limit(PLACES_PER_PAGE)
    ).all()
    return page.render(
        "admin_places.html",
        status=status,
        rows=rows,
        q=text,
        number=number,
        pages=pages,
        total=total,
        refused=refused,
        problems=problems or [],
        report=report,
        applied=applied,
        file_name=file_name,
        max_upload_mb=get_settings().max_upload_bytes / 1024**2,
    )


@router.post("/admin/places/import")
async def import_places_page(page: PageDep) -> Response:
    """A place-code table through the CLI's importer: ``mode=preview`` (a dry run: nothing is
    written) or ``mode=apply``. Every problem names its row and column; nothing is half-saved."""
    _admin(page, "/admin/places")
    lang = page.lang
    async with page.request.form(max_part_size=64 * 1024) as form:
        page.check_csrf(str(form.get("csrf_token") or ""))
        upload = form.get("file")
        apply = str(form.get("mode") or "") == "apply"
        if not isinstance(upload, UploadFile) or not upload.filename:
            refused = translate("Choose a CSV file of place codes.", lang)
            return _places_page(page, "", 1, status=422, refused=refused)
        name = Path(upload.filename).name[:120] or "places.csv"
        raw = await upload.read(get_settings().max_upload_bytes + 1)
        if len(raw) > get_settings().max_upload_bytes:  # the request limit bounds it too
            refused = translate("The file is larger than the upload limit.", lang)
            return _places_page(page, "", 1, status=413, refused=refused)
        with tempfile.TemporaryDirectory() as folder:
            saved = Path(folder) / name
            saved.write_bytes(raw)
            report, refused_exc = _run_import(page, saved, apply)
    if refused_exc is not None:  # every problem, each with its row and column
        problems = [localise(str(p), reader(lang)) for p in refused_exc.problems[:50]]
        return _places_page(
            page,
            "",
            1,
            status=refused_exc.status,
            refused=refused_exc.message,
            problems=problems,
            file_name=name,
        )
    return _places_page(page, "", 1, report=report, applied=apply, file_name=name)


def _run_import(
    page: Page, saved: Path, apply: bool
) -> tuple[ImportReport | None, SafepathError | None]:
    def write() -> ImportReport:
        rows = read_place_table(saved)
        with page.db.begin_nested() as nested:
            report = import_places(page.db, rows, scope=saved.name, source=saved.name)
            if not apply:
                nested.rollback()  # the dry run: what would change, nothing written
        if apply and report.changed:
            audit.record(page.db, page.actor, "update", "places", saved.name, fields=("places",))
        return report

    return page.attempt(write)
