"""The exports recorded in the audit chain, read back for the data-protection focal point: per
export, who, when, what, the decision and the risk before and after anonymisation.

The figures are the ``disclosure.*`` entries ``control_export`` wrote into the event's field
list, so the ledger is exactly what the chain holds (and what ``safepath audit verify`` checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role
from safepath.store.models.audit import AuditEvent

LEDGER_ROLES = frozenset({Role.dp_focal_point, Role.admin})
PREFIX = "disclosure."


@dataclass(frozen=True)
class ExportEntry:
    at: datetime
    username: str
    role: str
    kind: str
    record: str | None
    decision: str
    records: int
    keys: tuple[str, ...]
    global_risk: float
    max_risk: float
    records_below_k: int
    k: int
    before_global_risk: float | None  # anonymised: the figures of the original
    before_max_risk: float | None
    suppressed: dict[str, int]


def _float(text: str | None) -> float | None:
    return float(text) if text not in (None, "", "None") else None


def _entry(e: AuditEvent) -> ExportEntry | None:
    values: dict[str, str] = {}
    for item in json.loads(e.fields or "[]"):
        name, sep, value = str(item).partition("=")
        if sep and name.startswith(PREFIX):
            values[name[len(PREFIX) :]] = value
    if "decision" not in values:  # an export audited before disclosure control (no figures)
        return None
    return ExportEntry(
        at=e.at,
        username=e.username,
        role=e.role,
        kind=values.get("kind", e.record_type),
        record=e.record_id,
        decision=values["decision"],
        records=int(values.get("records", "0")),
        keys=tuple(k for k in values.get("keys", "").split("|") if k),
        global_risk=_float(values.get("global_risk")) or 0.0,
        max_risk=_float(values.get("max_risk")) or 0.0,
        records_below_k=int(values.get("records_below_k", "0")),
        k=int(values.get("k", "0")),
        before_global_risk=_float(values.get("before.global_risk")),
        before_max_risk=_float(values.get("before.max_risk")),
        suppressed={
            n.removeprefix("suppressed."): int(v)
            for n, v in values.items()
            if n.startswith("suppressed.")
        },
    )


def export_ledger(session: Session, actor: Actor, limit: int = 200) -> list[ExportEntry]:
    """The latest microdata exports, newest first (the data-protection roles only)."""
    if actor.role not in LEDGER_ROLES:
        raise Forbidden(f"your role ({actor.role}) may not read the export ledger")
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.action == "export", AuditEvent.fields.like(f"%{PREFIX}decision=%"))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [x for x in map(_entry, session.scalars(stmt)) if x is not None]
