"""The data-protection focal point's page: every microdata export recorded in the audit chain
(the decision, the risk before and after anonymisation), and the disclosure risk of a stored
round for the key variables they choose (sdcMicro's measures; nothing is exported)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from safepath.errors import SafepathError
from safepath.privacy.disclosure.kinds import export_kind
from safepath.privacy.disclosure.ledger import export_ledger
from safepath.rounds import sdc, service
from safepath.rounds.export import KIND
from safepath.web import menu
from safepath.web.context import PageDep

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=2000)]


@router.get("/data-protection")
def data_protection(
    page: PageDep, round: Text = None, keys: Text = None, weight: Text = None
) -> Response:
    page.require(*menu.opens("/data-protection"))
    exports = export_ledger(page.db, page.actor)
    rounds = [r.name for r in service.list_rounds(page.db)]
    spec = export_kind(KIND)
    chosen = [k.strip() for k in (keys or "").split(",") if k.strip()]
    result, error, status = None, None, 200
    if round and chosen:
        try:
            data = sdc.round_data(page.db, page.actor, round)
            result = sdc.measure(data, chosen, weight=weight or None, source=f"round {round}")
        except SafepathError as exc:
            error, status = exc.message, exc.status
    return page.render(
        "data_protection.html",
        status=status,
        exports=exports,
        rounds=rounds,
        round=round,
        keys=", ".join(chosen) or ", ".join(spec.keys[:4]),
        weight=weight or "",
        policy=spec.policy(),
        result=result,
        error=error,
    )
