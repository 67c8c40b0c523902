"""Analyst view of the stored survey rounds: each round's form, tables and row counts, and the
problems its imports found (personal values withheld by the importer)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.errors import SafepathError
from safepath.risk import list_models
from safepath.rounds import scoring, service
from safepath.web import menu
from safepath.web.context import PageDep

router = APIRouter(include_in_schema=False)
SHOWN_PROBLEMS = 200


@router.get("/analysis/rounds")
def rounds(page: PageDep, round: str | None = None, model: str | None = None) -> Response:
    page.require(*menu.opens("/analysis/rounds"))
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
        rounds=listed,
        chosen=chosen,
        problems=problems,
        shown=SHOWN_PROBLEMS,
        models=models,
        model=model,
        score=score,
        error=error,
    )
