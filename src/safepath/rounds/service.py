"""Survey rounds: import an export into a stored round, list, show, read and delete rounds.

Storage: ``<data_dir>/rounds/<storage>/<snapshot>/<table>.parquet`` (directories 0700, files
0600, row groups of 122,880 rows). An import writes a whole new snapshot directory beside the
current one and switches the catalogue row to it in the caller's transaction; the old snapshot is
removed only after the commit, the new one after a rollback. A crash (even kill -9) before the
commit leaves the catalogue on the old snapshot: the orphan directory is removed by the next
import of the round. Nothing is half-written.

Idempotent: a submission is matched by its key (UUID). Same fingerprint: unchanged. Another
fingerprint: updated, unless the stored copy has a later edit time (``end`` or the submission
time), then it is kept (unchanged). Submissions missing from a later export stay stored.

Personal columns are encrypted per cell (or dropped, ``SAFEPATH_SURVEY_PERSONAL_DATA``) before
they reach a file; problems stored in the catalogue withhold personal values.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from safepath.errors import Conflict, InputError, NotFound, Problem
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.rounds import cipher
from safepath.rounds.forms import definition
from safepath.settings import PRIVATE_FILE_MODE, ensure_private_dir, get_settings
from safepath.store.models import SurveyForm, SurveyImport, SurveyRound
from safepath.surveys.submissions import (
    HASH,
    KEY,
    MAIN,
    STAMP,
    SUBMISSION,
    ParsedExport,
    Progress,
    read_export,
)

ROW_GROUP = 122_880
STORED_PROBLEMS = 500


@dataclass(frozen=True)
class ImportReport:
    round: str
    tables: dict[str, int]  # rows stored per table after the import
    read: dict[str, int]  # rows read from the export
    added: int
    updated: int
    unchanged: int
    problems: list[Problem]
    problems_total: int
    personal: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "tables": self.tables,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "issues": [p.as_dict() for p in self.problems],
            "issues_total": self.problems_total,
        }


def rounds_dir() -> Path:
    s = get_settings()
    ensure_private_dir(s.data_dir)
    return ensure_private_dir(s.data_dir / "rounds")


def _snapshot_dir(row: SurveyRound, snapshot: int | None = None) -> Path:
    return rounds_dir() / row.storage / str(row.snapshot if snapshot is None else snapshot)


def _write_parquet(table: pa.Table, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        pq.write_table(table, fh, row_group_size=ROW_GROUP, compression="zstd")


def _read(path: Path) -> pa.Table | None:
    return pq.read_table(path) if path.is_file() else None


def _unify(old: pa.Table | None, new: pa.Table | None) -> pa.Table:
    """Old rows and new rows in one table: columns of both (a column whose type differs
    between the two is text)."""
    tables = [t for t in (old, new) if t is not None]
    if len(tables) == 1:
        return tables[0]
    assert old is not None and new is not None
    names = list(dict.fromkeys([*old.column_names, *new.column_names]))
    columns: dict[str, pa.ChunkedArray] = {}
    for name in names:
        a = old.column(name) if name in old.column_names else None
        b = new.column(name) if name in new.column_names else None
        typ = (a or b).type  # type: ignore[union-attr]
        if a is not None and b is not None and a.type != b.type:
            if pa.types.is_null(a.type):
                typ = b.type
            elif not pa.types.is_null(b.type):
                typ = pa.string()
        parts = [
            (col if col is not None else pa.nulls(t.num_rows, typ)).cast(typ)
            for col, t in ((a, old), (b, new))
        ]
        columns[name] = pa.chunked_array(
            [c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])], typ
        )
    return pa.table(columns)


def _protect(
    table: pa.Table, personal: list[str], storage: str, name: str, policy: str
) -> pa.Table:
    for column in personal:
        if column not in table.column_names:
            continue
        if policy == "drop":
            table = table.drop_columns([column])
        else:
            i = table.column_names.index(column)
            encrypted = cipher.encrypt_column(
                table.column(column), cipher.context(storage, name, column)
            )
            table = table.set_column(i, column, encrypted)
    return table


def _withheld(problem: Problem, personal: set[str]) -> dict[str, Any]:
    d = problem.as_dict()
    if problem.column in personal and "value" in d:
        d["value"] = "(personal data withheld)"
    return d


def _classify(old_main: pa.Table | None, new_main: pa.Table) -> tuple[set[str], set[str], int]:
    """(added keys, updated keys, unchanged count) of the export's submissions."""
    keys = new_main.column(KEY).to_pylist()
    hashes = new_main.column(HASH).to_pylist()
    stamps = new_main.column(STAMP).to_pylist()
    stored: dict[str, tuple[str | None, str | None]] = {}
    if old_main is not None:
        for k, h, s in zip(
            old_main.column(KEY).to_pylist(),
            old_main.column(HASH).to_pylist(),
            old_main.column(STAMP).to_pylist(),
            strict=True,
        ):
            stored[k] = (h, s)
    added: set[str] = set()
    updated: set[str] = set()
    unchanged = 0
    for k, h, s in zip(keys, hashes, stamps, strict=True):
        if k not in stored:
            added.add(k)
            continue
        old_hash, old_stamp = stored[k]
        if old_hash == h or (old_stamp and s and str(s) < str(old_stamp)):
            unchanged += 1  # the same, or an older copy of a submission edited since
        else:
            updated.add(k)
    return added, updated, unchanged


def _cleanup_orphans(row: SurveyRound) -> None:
    base = rounds_dir() / row.storage
    if not base.is_dir():
        return
    for child in base.iterdir():
        if child.name != str(row.snapshot):
            shutil.rmtree(child, ignore_errors=True)


def import_round(
    session: Session,
    form_row: SurveyForm,
    path: str | Path,
    *,
    round_name: str | None,
    actor: Actor,
    by: str,
    encoding: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read ``path`` against the stored form and merge it into the round (created when new),
    in the caller's transaction (see the module docstring)."""
    settings = get_settings()
    form = definition(form_row)
    parsed = read_export(
        form,
        path,
        encoding=encoding,
        personal=settings.survey_personal_columns,
        progress=progress,
    )
    personal_all = {c for t in parsed.tables.values() for c in t.personal}
    if strict and parsed.problems.total:
        raise InputError(
            f"{Path(path).name}: {parsed.problems.total} problem(s) with --strict; nothing "
            f"stored; first: {parsed.problems.items[0]}",
            problems=parsed.problems.items,
        )
    name = (round_name or Path(path).stem).strip()
    if not name or len(name) > 200:
        raise InputError(
            "a round needs a name of 1 to 200 characters", problems=[Problem("bad round name")]
        )
    return _merge(
        session, form_row, parsed, name, actor, by, settings.survey_personal_data, personal_all
    )


def _merge(
    session: Session,
    form_row: SurveyForm,
    parsed: ParsedExport,
    name: str,
    actor: Actor,
    by: str,
    policy: str,
    personal_all: set[str],
) -> ImportReport:
    row = session.scalars(
        select(SurveyRound).where(SurveyRound.name == name).with_for_update(of=SurveyRound)
    ).one_or_none()
    if row is not None and row.form.form_id != form_row.form_id:
        raise Conflict(
            f"round {name!r} holds form {row.form.form_id!r}, not {form_row.form_id!r}; "
            "import into another round",
            problems=[Problem("another form", scope=name)],
        )
    # The files are written before anything is flushed: on SQLite the first write takes the
    # database's one write lock until the commit, and other users' requests wait for it.
    new_round = row is None
    if row is None:
        row = SurveyRound(
            name=name,
            form_pk=form_row.id,
            storage=uuid.uuid4().hex,
            snapshot=0,
            tables={},
            personal={},
            created_by=by,
        )
    else:
        _cleanup_orphans(row)
    old_dir = _snapshot_dir(row) if row.tables else None
    old_main = _read(old_dir / f"{MAIN}.parquet") if old_dir else None
    new_main = parsed.tables[MAIN].data
    added, updated, unchanged = _classify(old_main, new_main)
    fresh = added | updated
    new_tables = [t for t in parsed.tables if t not in row.tables]
    changed = bool(fresh) or bool(new_tables) or row.form_pk != form_row.id
    counts = dict(row.tables)
    protected: dict[str, str] = dict(row.personal)
    if changed:
        snapshot = row.snapshot + 1
        target = _snapshot_dir(row, snapshot)
        shutil.rmtree(target, ignore_errors=True)  # a crashed import's leftover
        ensure_private_dir(target.parent)
        ensure_private_dir(target)
        replaced = pa.array(sorted(updated), pa.string())
        wanted = pa.array(sorted(fresh), pa.string())
        names = list(dict.fromkeys([*row.tables, *parsed.tables]))
        for table_name in names:
            old = _read(old_dir / f"{table_name}.parquet") if old_dir else None
            link = KEY if table_name == MAIN else SUBMISSION
            data = parsed.tables.get(table_name)
            if old is not None and data is not None and len(replaced):
                old = old.filter(pc.invert(pc.is_in(old.column(link), value_set=replaced)))
            new = None
            if data is not None:
                new = data.data
                if len(fresh) < new_main.num_rows:  # all new on a first import: no copy
                    new = new.filter(pc.is_in(new.column(link), value_set=wanted))
                new = _protect(new, data.personal, row.storage, table_name, policy)
                for c in data.personal:
                    protected[f"{table_name}.{c}"] = "dropped" if policy == "drop" else "encrypted"
            merged = _unify(old, new)
            _write_parquet(merged, target / f"{table_name}.parquet")
            counts[table_name] = merged.num_rows
        _after(session, commit=row_dir_of(row, row.snapshot) if old_dir else None, rollback=target)
        row.snapshot = snapshot
    row.form_pk = form_row.id
    row.tables = counts
    row.personal = protected
    if new_round:
        session.add(row)
        session.flush()
    problems = parsed.problems
    session.add(
        SurveyImport(
            round_id=row.id,
            source=parsed.path.name[:300],
            sha256=_sha256(parsed.path),
            imported_by=by,
            tables={n: t.read for n, t in parsed.tables.items()},
            added=len(added),
            updated=len(updated),
            unchanged=unchanged,
            problems_total=problems.total,
            problems=[_withheld(p, personal_all) for p in problems.items[:STORED_PROBLEMS]],
        )
    )
    audit.record(
        session,
        actor,
        "survey_import",
        "survey_round",
        row.id,
        fields=sorted(protected),
    )
    session.flush()
    return ImportReport(
        round=name,
        tables=counts,
        read={n: t.read for n, t in parsed.tables.items()},
        added=len(added),
        updated=len(updated),
        unchanged=unchanged,
        problems=problems.items,
        problems_total=problems.total,
        personal=protected,
    )


def row_dir_of(row: SurveyRound, snapshot: int) -> Path:
    return rounds_dir() / row.storage / str(snapshot)


def _after(session: Session, *, commit: Path | None, rollback: Path | None) -> None:
    """Remove ``commit`` once the transaction commits, ``rollback`` if it rolls back."""

    def committed(_session: Session) -> None:
        if commit is not None:
            shutil.rmtree(commit, ignore_errors=True)

    def rolled_back(_session: Session) -> None:
        if rollback is not None:
            shutil.rmtree(rollback, ignore_errors=True)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    name: str
    form: str
    form_version: str
    tables: dict[str, int]
    personal: dict[str, str]
    created_at: str
    created_by: str
    updated_at: str
    imports: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.name,
            "form": self.form,
            "form_version": self.form_version,
            "tables": self.tables,
            "personal": self.personal,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "updated_at": self.updated_at,
            "imports": self.imports,
        }


def _import_view(i: SurveyImport, *, problems: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": i.source,
        "imported_at": i.imported_at.isoformat(timespec="seconds"),
        "imported_by": i.imported_by,
        "rows": i.tables,
        "added": i.added,
        "updated": i.updated,
        "unchanged": i.unchanged,
        "issues_total": i.problems_total,
    }
    if problems:
        out["issues"] = list(i.problems)
    return out


def _view(row: SurveyRound, *, problems: bool = False) -> RoundView:
    return RoundView(
        name=row.name,
        form=row.form.form_id,
        form_version=row.form.version,
        tables=dict(row.tables),
        personal=dict(row.personal),
        created_at=row.created_at.isoformat(timespec="seconds"),
        created_by=row.created_by,
        updated_at=row.updated_at.isoformat(timespec="seconds"),
        imports=[_import_view(i, problems=problems) for i in row.imports],
    )


def list_rounds(session: Session) -> list[RoundView]:
    rows = session.scalars(select(SurveyRound).order_by(SurveyRound.name)).unique()
    return [_view(r) for r in rows]


def _get(session: Session, name: str) -> SurveyRound:
    row = (
        session.scalars(select(SurveyRound).where(SurveyRound.name == name)).unique().one_or_none()
    )
    if row is None:
        known = ", ".join(sorted(session.scalars(select(SurveyRound.name)))) or "none"
        raise NotFound(f"no survey round {name!r} (rounds: {known})")
    return row


def show_round(session: Session, name: str) -> RoundView:
    return _view(_get(session, name), problems=True)


def delete_round(session: Session, name: str, *, actor: Actor) -> None:
    """Remove the round from the catalogue and, once that commits, its files."""
    row = _get(session, name)
    base = rounds_dir() / row.storage
    audit.record(session, actor, "survey_delete", "survey_round", row.id)
    session.delete(row)
    session.flush()
    _after(session, commit=base, rollback=None)


def round_form(session: Session, name: str) -> SurveyForm:
    return _get(session, name).form


def table_path(session: Session, name: str, table: str = MAIN) -> Path:
    row = _get(session, name)
    if table not in row.tables:
        raise NotFound(f"round {name!r} has no table {table!r} (tables: {', '.join(row.tables)})")
    return _snapshot_dir(row) / f"{table}.parquet"


def load_table(
    session: Session, name: str, table: str = MAIN, *, columns: list[str] | None = None
) -> pa.Table:
    """A stored table without its personal columns (ciphertext is of no use to analysis)."""
    row = _get(session, name)
    path = table_path(session, name, table)
    personal = {k.split(".", 1)[1] for k in row.personal if k.startswith(f"{table}.")}
    schema = pq.read_schema(path)
    wanted = [c for c in (columns or schema.names) if c in schema.names and c not in personal]
    return pq.read_table(path, columns=wanted)


def decrypt_table(session: Session, name: str, table: str = MAIN) -> pa.Table:
    """A stored table with its encrypted columns decrypted (for the data-protection focal point;
    callers check the actor's rights and audit)."""
    row = _get(session, name)
    data = pq.read_table(table_path(session, name, table))
    for key, how in row.personal.items():
        t, _, column = key.partition(".")
        if t != table or how != "encrypted" or column not in data.column_names:
            continue
        i = data.column_names.index(column)
        data = data.set_column(
            i,
            column,
            cipher.decrypt_column(data.column(column), cipher.context(row.storage, t, column)),
        )
    return data
