"""Rebuild the person blind indexes after the normalisation rules change (``blind_index.SCHEME``).

The digests are keyed hashes of normalised tokens, so a change in ``skeleton`` leaves digests
built under the old rules unfindable. The ``index_schemes`` row records which scheme built the
stored digests (migration 0018 records scheme 1 where digests existed; no row: nothing built
under an older scheme). ``rebuild`` recomputes every person's entries from their decrypted names
and phone in committed batches, then records the current scheme: interrupted, it is run again
(each person's rows are replaced, so a second run writes the same digests). Erased persons have
no names and keep no index rows. Nothing is read outside this process: no audit event per person
(it is a maintenance job, audited once).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safepath.privacy import audit, blind_index, persons
from safepath.privacy.actor import SYSTEM
from safepath.store.models.persons import IndexScheme, Person

NAME = "person_names"
BATCH = 500


def stored_scheme(session: Session) -> int:
    """The scheme the stored digests follow (the current one when none was recorded)."""
    row = session.get(IndexScheme, NAME)
    return blind_index.SCHEME if row is None else row.version


def pending(session: Session) -> int:
    """How many persons need their index rebuilt (0 when the digests are current)."""
    if stored_scheme(session) >= blind_index.SCHEME:
        return 0
    return len(person_ids(session))


def person_ids(session: Session) -> list[int]:
    return list(
        session.scalars(select(Person.id).where(Person.anonymised_at.is_(None)).order_by(Person.id))
    )


def rebuild(engine: Engine, advance: Callable[[int], object] | None = None) -> int:
    """Recompute every person's blind-index rows under the current scheme; the count rebuilt."""
    with Session(engine) as s:
        ids = person_ids(s)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with Session(engine) as s, s.begin():  # one committed batch
            for person in s.scalars(select(Person).where(Person.id.in_(chunk))):
                persons.rebuild_index(s, person)
        done += len(chunk)
        if advance is not None:
            advance(len(chunk))
    with Session(engine) as s, s.begin():
        row = s.get(IndexScheme, NAME)
        if row is None:
            s.add(IndexScheme(name=NAME, version=blind_index.SCHEME))
        else:
            row.version = blind_index.SCHEME
        audit.record(s, SYSTEM, "reindex", "blind_index", NAME, fields=(f"{done} persons",))
    return done
