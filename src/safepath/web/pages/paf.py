"""The analyst's protection analysis page: pick a stored round, a risk model, the area level and
the disaggregations; see the estimates with their intervals (tables and charts), the area maps,
and download the report (HTML or PDF) and the area table (HXL CSV).

Thin: the figures are ``safepath.report`` 's (the same as ``safepath report paf``), computed on
request from the stored round; nothing is stored. Rounds are read by analyst roles only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.errors import InputError, SafepathError
from safepath.report import paf, render, sources
from safepath.report.groups import DIMENSIONS
from safepath.risk import list_models, load_model
from safepath.rounds import service
from safepath.rounds.access import require_rounds
from safepath.rounds.trends import TrendQuery, alerts_of, stored_trends
from safepath.web import menu
from safepath.web.context import Page, PageDep

router = APIRouter(include_in_schema=False)
PATH = "/analysis/paf"


@dataclass(frozen=True)
class Choice:
    round: str
    model: str
    level: str | None
    by: tuple[str, ...]
    strata: str | None
    cluster: str | None

    def query(self, **extra: str) -> str:
        params: list[tuple[str, str]] = [("round", self.round), ("model", self.model)]
        params += [("level", self.level)] if self.level else []
        params += [("by", b) for b in self.by]
        params += [("strata", self.strata)] if self.strata else []
        params += [("cluster", self.cluster)] if self.cluster else []
        params += list(extra.items())
        return urlencode(params)


def _choice(page: Page) -> Choice | None:
    q = page.request.query_params
    name, model = q.get("round"), q.get("model")
    if not name or not model:
        return None
    if model not in list_models():
        raise InputError(f"unknown risk model {model!r}")
    by = tuple(b for b in q.getlist("by") if b in DIMENSIONS)
    return Choice(
        name,
        model,
        q.get("level") or None,
        by,
        (q.get("strata") or "").strip() or None,
        (q.get("cluster") or "").strip() or None,
    )


def _build(page: Page, choice: Choice, lang: str) -> paf.PafReport:
    model = load_model(choice.model)
    data, repeats = sources.round_data(page.db, choice.round, model)
    options = sources.Options(
        model=model.id,
        level=choice.level,
        strata=choice.strata,
        cluster=choice.cluster,
        groupings=choice.by or None,
        lang=lang,
    )
    inputs = sources.inputs(
        model, data, choice.round, options, session=page.db, actor=page.actor, repeats=repeats
    )
    return paf.build(inputs)


@dataclass(frozen=True)
class Comparison:
    """The chosen round against the one stored before it, per area (``rounds.trends``)."""

    since: str
    rows: list[dict[str, Any]]
    alerted: frozenset[str]  # the areas' keys joined with '/'


def _compare(page: Page, choice: Choice) -> Comparison:
    level = choice.level or next(iter(load_model(choice.model).places))
    query = TrendQuery(
        choice.round, model=choice.model, by=level, strata=choice.strata, cluster=choice.cluster
    )
    rows = stored_trends(page.db, query)
    areas = [r for r in rows if r["group"]]
    alerted = frozenset("/".join(map(str, r["group"])) for r in alerts_of(rows))
    return Comparison(rows[0]["round_a"] if rows else "", areas, alerted)


def _open(page: Page) -> None:
    page.require(*menu.opens(PATH))
    require_rounds(page.actor)


@router.get(PATH)
def analysis_page(page: PageDep) -> Response:
    _open(page)
    rounds = service.list_rounds(page.db)
    models = list_models()
    lang = page.lang
    report: paf.PafReport | None = None
    figures: dict[str, Any] = {}
    error: str | None = None
    choice: Choice | None = None
    comparison: Comparison | None = None
    compare_error: str | None = None
    status = 200
    try:
        choice = _choice(page)
        if choice is not None:
            report = _build(page, choice, lang)
            figures = render.figures(report, lang)
    except SafepathError as exc:
        error, status = exc.message, exc.status
    # the trend is asked for (a second scoring of two rounds): a page without it stays quick
    if choice is not None and report is not None and page.request.query_params.get("compare"):
        try:
            comparison = _compare(page, choice)
        except SafepathError as exc:
            compare_error = exc.message
    places = list(load_model(choice.model).places) if choice else []
    return page.render(
        "paf_analysis.html",
        status=status,
        rounds=rounds,
        models=models,
        dimensions=DIMENSIONS,
        choice=choice,
        places=places,
        report=report,
        figures=figures,
        error=error,
        comparison=comparison,
        compare_error=compare_error,
        group_title=lambda name: render.group_title(name, lang),
        group_label=lambda name, v: render.group_label(name, v, lang),
        phase_name=lambda p: render.phase_name(p, lang),
        links={
            kind: f"{PATH}/report.{kind}?{choice.query(lang=lang)}" if choice else ""
            for kind in ("html", "pdf")
        }
        | {"csv": f"{PATH}/areas.csv?{choice.query()}" if choice else ""}
        | {"compare": f"{PATH}?{choice.query(compare='1')}#trends" if choice else ""},
    )


def _download(page: Page) -> tuple[Choice, paf.PafReport, str]:
    _open(page)
    choice = _choice(page)
    if choice is None:
        raise InputError("choose a round and a risk model")
    lang = page.request.query_params.get("lang") or page.lang
    if lang not in render.LANGUAGES:
        lang = "en"
    return choice, _build(page, choice, lang), lang


def _filename(choice: Choice, suffix: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in choice.round)[:60] or "round"
    return f"protection-analysis-{safe}.{suffix}"


@router.get(f"{PATH}/report.html")
def report_html(page: PageDep) -> Response:
    choice, report, lang = _download(page)
    return Response(
        render.render_html(report, lang),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(choice, "html")}"'},
    )


@router.get(f"{PATH}/report.pdf")
def report_pdf(page: PageDep) -> Response:
    choice, report, lang = _download(page)
    return Response(
        render.render_pdf(report, lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(choice, "pdf")}"'},
    )


@router.get(f"{PATH}/areas.csv")
def areas_csv(page: PageDep) -> Response:
    choice, report, _ = _download(page)
    return Response(
        render.area_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(choice, "csv")}"'},
    )
