"""A stored round leaving the system: its table without the personal columns, through the
disclosure policy (kind ``survey_round``): released, anonymised on request, or refused; one
audit event per export, with the figures."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from safepath.privacy.actor import Actor
from safepath.privacy.disclosure.exports import ExportResult, control_dataset
from safepath.rounds.access import require_rounds
from safepath.rounds.service import load_table
from safepath.surveys.submissions import MAIN

KIND = "survey_round"


def export_round(
    session: Session,
    actor: Actor,
    name: str,
    *,
    table: str = MAIN,
    anonymise: bool = False,
    keys: Sequence[str] = (),
    importance: Sequence[str] | None = None,
    k: int | None = None,
) -> ExportResult:
    """The round's table as it may leave (or refused: ``released()`` raises after the caller
    commits the audit event)."""
    require_rounds(actor)
    data = load_table(session, name, table)  # personal columns are never exported
    record_id = name if table == MAIN else f"{name}/{table}"
    return control_dataset(
        session,
        actor,
        data,
        kind=KIND,
        record_id=record_id[:64],
        anonymise=anonymise,
        keys=keys,
        importance=importance,
        k=k,
    )
