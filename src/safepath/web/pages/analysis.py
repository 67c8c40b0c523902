"""Analyst views: protection outcomes by dimension (table and chart, small cells suppressed by
the outcomes service) and the area profiles the risk model joins to people by P-code."""

from __future__ import annotations

import csv
import io
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.cases import outcomes, ports
from safepath.privacy.actor import Role
from safepath.web import charts
from safepath.web.context import PageDep
from safepath.web.i18n import translate
from safepath.web.render import catalogue_label

router = APIRouter(include_in_schema=False)
ANALYSTS = (Role.analyst, Role.supervisor, Role.dp_focal_point, Role.admin)
DIMENSION_LISTS = {
    "modality": "modalities",
    "thematic_area": "thematic_areas",
    "gpc_risk": "gpc_risks",
    "population_group": "population_groups",
}


@router.get("/analysis/outcomes")
def outcome_report(page: PageDep, by: str = "modality") -> Response:
    page.require(*ANALYSTS)
    by = by if by in outcomes.DIMENSIONS else "modality"
    rows = outcomes.report(page.db, page.actor, by)
    lang = page.lang
    list_name = DIMENSION_LISTS.get(by)
    for row in rows:
        code = row.get(by)
        row["label"] = catalogue_label(list_name, code) if list_name and code else (code or "–")
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


@router.get("/analysis/areas")
def areas(page: PageDep) -> Response:
    page.require(*ANALYSTS)
    path = files("safepath.risk.models") / f"{ports.MODEL_ID}.area-profile.csv"
    rows = (
        list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        if path.is_file()
        else []
    )
    columns = list(rows[0]) if rows else []
    return page.render("areas.html", rows=rows, columns=columns, model=ports.MODEL_ID)
