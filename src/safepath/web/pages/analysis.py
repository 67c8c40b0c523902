"""Analyst views: protection outcomes by dimension (table and chart, small cells suppressed by
the outcomes service) and the area profiles the risk model joins to people by P-code."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.cases import outcomes
from safepath.cases.instruments import instrument
from safepath.errors import SafepathError
from safepath.framework import catalogue
from safepath.places.area_profiles import load_area_profile
from safepath.privacy.disclosure import small_cells
from safepath.risk.area_profile import AreaProfile
from safepath.web import charts, menu
from safepath.web.context import Page, PageDep
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)
DIMENSION_LISTS = {
    "modality": "modalities",
    "thematic_area": "thematic_areas",
    "gpc_risk": "gpc_risks",
    "population_group": "population_groups",
}


@router.get("/analysis/outcomes")
def outcome_report(page: PageDep, by: str = "modality") -> Response:
    page.require(*menu.opens("/analysis/outcomes"))
    by = by if by in outcomes.DIMENSIONS else "modality"
    rows = outcomes.report(page.db, page.actor, by)
    lang = page.lang
    list_name = DIMENSION_LISTS.get(by)
    for row in rows:
        code = row.get(by)
        # the chart is drawn here, not in the template: the label in the page's language now
        row["label"] = (
            catalogue().label(list_name, code, lang) if list_name and code else (code or "–")
        )
    chart = charts.bars(
        [(r["label"], r["outcome_achieved_pct"], charts.COLOURS["risk"]) for r in rows],
        100,
        translate("Share of closed cases with the outcome achieved", lang),
        rtl=lang == "ar",
        fmt="{:.0f}%",
    )
    return page.render(
        "outcomes.html", rows=rows, by=by, dimensions=outcomes.DIMENSIONS, chart=chart
    )


AREA_LEVELS = ("adm1", "adm2")
MAX_UPLOAD = 20 * 1024 * 1024


def _operation_profile(page: Page) -> AreaProfile | None:
    """The operation's stored profile for the casework model; else the model's sample."""
    tool = instrument()
    return load_area_profile(page.db, tool.model_id) or tool.area_profile


def _profile(page: Page) -> tuple[list[dict[str, Any]], list[str]]:
    profile = _operation_profile(page)
    if profile is None:
        return [], []
    return profile.records(), list(profile.columns)


def _areas_page(page: Page, status: int = 200, **context: Any) -> Response:
    rows, columns = _profile(page)
    return page.render(
        "areas.html",
        status=status,
        rows=rows,
        columns=columns,
        model=instrument().model_id,
        levels=AREA_LEVELS,
        dimensions=["", *instrument().model.dimensions],
        **context,
    )


@router.get("/analysis/areas")
def areas(page: PageDep) -> Response:
    page.require(*menu.opens("/analysis/areas"))
    return _areas_page(page)


def classify_upload(
    name: str, data: bytes, by: list[str], area: AreaProfile | None = None
) -> list[dict[str, Any]]:
    """Score an uploaded survey round with the risk model and classify its areas. Nothing is
    stored: the file lives in a temporary directory for the length of the request."""
    from safepath.risk import classify_areas, score_table
    from safepath.surveys.tables import first_row, read_table

    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx") else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"survey{suffix}"
        path.write_bytes(data)
        frame = read_table(path)
    model = instrument().model
    profile = area.to_arrow(model) if area is not None else None
    scored = score_table(model, frame, profile)
    result = classify_areas(model, scored, by, source=name, first_row=first_row(frame)).to_pandas()
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in result.to_dict("records")
    ]


@router.post("/analysis/areas")
async def areas_upload(page: PageDep) -> Response:
    page.require(*menu.opens("/analysis/areas"))
    async with page.request.form(max_part_size=MAX_UPLOAD) as form:
        page.check_csrf(str(form.get("csrf_token") or ""))
        upload = form.get("survey")
        level = str(form.get("level") or "adm2")
        dimension = str(form.get("dimension") or "")
        by = [level if level in AREA_LEVELS else "adm2"]
        if dimension in instrument().model.dimensions:
            by.append(dimension)
        if upload is None or isinstance(upload, str) or not upload.filename:
            return _areas_page(page, 422, refused=translate("Choose a survey file.", page.lang))
        filename = upload.filename
        data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _areas_page(page, 413, refused=translate("The file is too large.", page.lang))
    try:
        rows = classify_upload(filename, data, by, _operation_profile(page))
    except SafepathError as exc:
        return _areas_page(page, exc.status, refused=exc.message)
    k = small_cells.threshold()
    for row in rows:
        row["suppressed"] = small_cells.group_too_small(row.get("n") or 0, k)
    lang = page.lang
    chart = charts.bars(
        [
            (
                " · ".join(str(row[b]) for b in by),
                None if row["suppressed"] else row.get("area_phase"),
                charts.COLOURS["threat"],
            )
            for row in rows[:30]
        ],
        5,
        translate("Area severity phase (1 to 5)", lang),
        rtl=lang == "ar",
        fmt="{:.0f}",
    )
    return _areas_page(page, classified=rows, by=by, chart=chart, filename=filename)
