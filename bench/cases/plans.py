"""How the database runs the case list on the benchmark database: for each sort order (first
page, and the next page by cursor) and for the filtered lists of the mixed load, the query plan
(SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``) and the statement's own time, taken from
the statements ``cases.registry.list_cases`` runs for the bench supervisor (the agency's cases)."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import Engine, event, select

from safepath.cases import registry
from safepath.cases.registry import CaseFilter
from safepath.privacy import identity
from safepath.store.db import session_scope
from safepath.store.models import User
from safepath.wiring import wire

QUERIES: list[tuple[str, CaseFilter, str]] = [
    *((f"sort {d}{k}", CaseFilter(), d + k) for k in sorted(registry.SORTS) for d in ("", "-")),
    ("status + risk level", CaseFilter(status="in_progress", risk_level="high"), "-updated_at"),
    (
        "status + risk level + thematic area",
        CaseFilter(status="in_progress", risk_level="high", thematic_area="gbv"),
        "-updated_at",
    ),
    (
        "status + risk level + overdue",
        CaseFilter(status="assessed", risk_level="medium", overdue=True),
        "-updated_at",
    ),
    ("thematic area alone", CaseFilter(thematic_area="hlp"), "-updated_at"),
]


def _statements(engine: Engine, actor: Any, f: CaseFilter, sort: str) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if "FROM cases" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with session_scope(engine) as s:
            first = registry.list_cases(s, actor, f, sort=sort, limit=20)
            if first.next:
                registry.list_cases(s, actor, f, sort=sort, limit=20, cursor=first.next)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


_COST = re.compile(r"\s*\(cost=[^)]*\)")


def plans(engine: Engine, supervisor: str) -> list[dict[str, Any]]:
    wire()
    with session_scope(engine) as s:
        actor = identity.actor_for(s.scalars(select(User).where(User.username == supervisor)).one())
    out = []
    for label, f, sort in QUERIES:
        for page, (statement, params) in zip(
            ("first page", "next page"), _statements(engine, actor, f, sort), strict=False
        ):
            with engine.connect() as conn:
                if engine.dialect.name == "sqlite":
                    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
                    plan = "; ".join(str(r[-1]) for r in rows)
                else:
                    rows = conn.exec_driver_sql(f"EXPLAIN {statement}", params).all()
                    nodes = [str(r[0]) for i, r in enumerate(rows) if i == 0 or "->" in r[0]]
                    plan = "; ".join(_COST.sub("", n).replace("->", "").strip() for n in nodes)
                conn.exec_driver_sql(statement, params).all()  # warm
                t = time.perf_counter()
                conn.exec_driver_sql(statement, params).all()
                ms = 1000 * (time.perf_counter() - t)
            out.append({"query": f"{label}, {page}", "plan": plan, "ms": round(ms, 2)})
    return out
