"""Complaint reports: counts by channel, category, place, population group or month, and the time
taken to acknowledge and to close, with small cells suppressed.

Counted over the complaints the caller's reports may count (``access.counted``): for everyone but
the PSEA focal point the sensitive complaints are not in the query, so no figure, total or
suppressed cell reflects them. A group with fewer than ``settings.disclosure_threshold``
complaints shows no figures; when a report would suppress exactly one group, the next smallest is
suppressed as well (secondary suppression), so the hidden cell cannot be recovered from the total.
Times are medians in days, shown only when at least that many complaints were acknowledged
(closed).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import ValidationFailed
from safepath.feedback import access
from safepath.feedback.service import aware
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure import small_cells
from safepath.store.models.feedback import Complaint

DIMENSIONS = ("channel", "category", "place", "population_group", "month")
FIGURES = ("complaints", "closed", "median_days_to_acknowledge", "median_days_to_close")


@dataclass
class _Acc:
    complaints: int = 0
    closed: int = 0
    to_acknowledge: list[float] = field(default_factory=list)
    to_close: list[float] = field(default_factory=list)


def _days(start: datetime | None, end: datetime | None) -> float | None:
    start, end = aware(start), aware(end)
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 86400)


def _key(row: Any, by: str) -> str | None:
    if by == "place":
        return row.place_pcode  # type: ignore[no-any-return]
    if by == "month":
        received = aware(row.received_at)
        return received.strftime("%Y-%m") if received else None
    return getattr(row, by)  # type: ignore[no-any-return]


def _median(values: list[float], k: int) -> float | None:
    return round(statistics.median(values), 1) if small_cells.enough(len(values), k) else None


def _load(session: Session, actor: Actor) -> list[Any]:
    access.require(actor, access.REPORT)
    cols = (
        Complaint.channel,
        Complaint.category,
        Complaint.place_pcode,
        Complaint.population_group,
        Complaint.status,
        Complaint.received_at,
        Complaint.acknowledged_at,
        Complaint.acknowledge_due,
        Complaint.closed_at,
    )
    return list(session.execute(select(*cols).where(access.counted(actor))).all())


def _accumulate(acc: _Acc, row: Any) -> None:
    acc.complaints += 1
    ack = _days(row.received_at, row.acknowledged_at)
    if ack is not None:
        acc.to_acknowledge.append(ack)
    if row.status == "closed":
        acc.closed += 1
        closed = _days(row.received_at, row.closed_at)
        if closed is not None:
            acc.to_close.append(closed)


def _figures(acc: _Acc, k: int) -> dict[str, Any]:
    if small_cells.group_too_small(acc.complaints, k):
        return {**dict.fromkeys(FIGURES), "suppressed": True}
    closed = small_cells.count(acc.closed, k)
    ack = _median(acc.to_acknowledge, k)
    close = _median(acc.to_close, k)
    suppressed = closed is None or (ack is None and bool(acc.to_acknowledge))
    suppressed = suppressed or (close is None and bool(acc.to_close))
    return {
        "complaints": acc.complaints,
        "closed": closed,
        "median_days_to_acknowledge": ack,
        "median_days_to_close": close,
        "suppressed": suppressed,
    }


def report(session: Session, actor: Actor, by: str = "category") -> list[dict[str, Any]]:
    if by not in DIMENSIONS:
        raise ValidationFailed(f"cannot report complaints by {by!r}; use one of {DIMENSIONS}")
    k = small_cells.threshold()
    groups: dict[str | None, _Acc] = defaultdict(_Acc)
    for row in _load(session, actor):
        _accumulate(groups[_key(row, by)], row)
    out = [{by: key, **_figures(acc, k)} for key, acc in groups.items()]
    _secondary(out, groups, by)
    return sorted(out, key=lambda r: str(r[by]))


def _secondary(rows: list[dict[str, Any]], groups: dict[str | None, _Acc], by: str) -> None:
    """One suppressed count next to a published total would give it away: hide one more."""
    small_cells.secondary(
        rows,
        hidden=lambda r: r["complaints"] is None,
        size=lambda r: (groups[r[by]].complaints, str(r[by])),
        hide=lambda r: r.update({**dict.fromkeys(FIGURES), "suppressed": True}),
    )


def summary(session: Session, actor: Actor) -> dict[str, Any]:
    """All the complaints the caller's reports count: totals, times, and the share acknowledged
    within its deadline."""
    k = small_cells.threshold()
    acc = _Acc()
    acknowledged = on_time = 0
    for row in _load(session, actor):
        _accumulate(acc, row)
        done, due = aware(row.acknowledged_at), aware(row.acknowledge_due)
        if done is not None and due is not None:
            acknowledged += 1
            on_time += int(done <= due)
    pct = round(100.0 * on_time / acknowledged, 1) if small_cells.enough(acknowledged, k) else None
    return {**_figures(acc, k), "acknowledged_on_time_pct": pct}
