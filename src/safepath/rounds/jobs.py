"""Survey imports started from the web page: run in a background thread, their progress kept
in a small JSON file that the job's page polls.

A job is ``<data_dir>/jobs/<id>/``: ``state.json`` (owner, round, rows read per table, the
total when known, then the report or the error) and, while it runs, the uploaded files. The
files are removed when the job ends; the state stays for ``KEEP_S``. State is a file, not memory,
so any server worker answers the poll. The import itself is the one the CLI runs
(``service.import_round``, one transaction); the job says "done" only after the commit.

A job whose state has not changed for ``STALE_S`` (its server stopped) reads as failed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safepath.errors import NotFound, SafepathError
from safepath.privacy.actor import Actor
from safepath.settings import PRIVATE_FILE_MODE, ensure_private_dir, get_settings

STALE_S = 30 * 60
KEEP_S = 24 * 3600
WRITE_EVERY_S = 0.5
SHOWN_PROBLEMS = 500
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_log = logging.getLogger("safepath")


@dataclass(frozen=True)
class JobView:
    id: str
    owner: str
    round: str
    source: str
    state: str  # "running", "done" or "failed"
    read: dict[str, int]  # rows read so far per table
    table: str | None  # the table being read
    total: int | None  # rows of the export when known
    message: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] | None = None

    @property
    def rows_read(self) -> int:
        return sum(self.read.values())


def jobs_dir() -> Path:
    s = get_settings()
    ensure_private_dir(s.data_dir)
    return ensure_private_dir(s.data_dir / "jobs")


def new_job() -> tuple[str, Path]:
    """A fresh job id and its private directory (uploads are saved there before ``start``)."""
    _forget_old()
    job_id = secrets.token_urlsafe(18)
    folder = jobs_dir() / job_id
    folder.mkdir(mode=0o700)
    return job_id, folder


def _forget_old() -> None:
    now = time.time()
    for child in jobs_dir().iterdir():
        try:
            if now - child.stat().st_mtime > KEEP_S:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


class _Tracker:
    def __init__(self, folder: Path, state: dict[str, Any]) -> None:
        self.path = folder / "state.json"
        self.state = state
        self.written = 0.0
        self.write()

    def write(self) -> None:
        self.state["updated_at"] = time.time()
        tmp = self.path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.state, fh, ensure_ascii=False, default=str)
        os.replace(tmp, self.path)
        self.written = time.monotonic()

    def progress(self, table: str, rows: int, total: int | None) -> None:
        read = self.state["read"]
        read[table] = read.get(table, 0) + rows
        self.state["table"] = table
        self.state["total"] = total
        if time.monotonic() - self.written >= WRITE_EVERY_S:
            self.write()

    def end(self, **values: Any) -> None:
        self.state.update(values)
        self.write()


def start_import(
    job_id: str,
    *,
    actor: Actor,
    round_name: str | None,
    export: Path,
    form_ref: str | None = None,
    form_file: Path | None = None,
    strict: bool = False,
) -> None:
    """Run the import of ``export`` (saved in the job's directory) in a background thread,
    with a stored form (``form_ref``) or one uploaded with it (``form_file``)."""
    folder = jobs_dir() / job_id
    name = (round_name or export.stem).strip()
    tracker = _Tracker(
        folder,
        {
            "id": job_id,
            "owner": actor.username,
            "round": name,
            "source": export.name,
            "state": "running",
            "read": {},
            "table": None,
            "total": None,
        },
    )
    thread = threading.Thread(
        target=_run,
        args=(tracker, actor, name, export, form_ref, form_file, strict),
        name=f"survey-import-{job_id[:8]}",
        daemon=True,
    )
    thread.start()


def _run(
    tracker: _Tracker,
    actor: Actor,
    name: str,
    export: Path,
    form_ref: str | None,
    form_file: Path | None,
    strict: bool,
) -> None:
    from safepath.rounds import service
    from safepath.rounds.forms import add_form, find_form
    from safepath.store.db import session_scope

    try:
        if form_file is not None:  # stored on its own (as `forms add`), committed at once
            with session_scope() as session:
                stored = add_form(session, form_file, by=actor.username).row
                form_ref = f"{stored.form_id}@{stored.version}"
        with session_scope() as session:
            form_row = find_form(session, str(form_ref))
            report = service.import_round(
                session,
                form_row,
                export,
                round_name=name,
                actor=actor,
                by=actor.username,
                strict=strict,
                progress=tracker.progress,
            )
        # after the commit: only now is the round stored
        body = report.as_dict()
        body["issues"] = body["issues"][:SHOWN_PROBLEMS]
        tracker.end(state="done", round=report.round, report=body)
    except SafepathError as exc:
        tracker.end(
            state="failed",
            message=exc.message,
            problems=[p.as_dict() for p in exc.problems[:SHOWN_PROBLEMS]],  # personal withheld
        )
    except Exception:  # a bug or the database: the page says so, the log has the traceback
        _log.exception("survey import job %s failed", tracker.state["id"])
        tracker.end(state="failed", message="the import failed unexpectedly (see the server log)")
    finally:
        shutil.rmtree(export.parent / "form", ignore_errors=True)
        export.unlink(missing_ok=True)


def get_job(job_id: str, actor: Actor) -> JobView:
    """The job's state, for its owner only (NotFound for anyone else, as for an unknown id)."""
    path = jobs_dir() / job_id / "state.json" if _ID.match(job_id) else None
    try:
        state = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        state = None
    if not state or state.get("owner") != actor.username:
        raise NotFound("no such import (it may have ended more than a day ago)")
    if state["state"] == "running" and time.time() - float(state["updated_at"]) > STALE_S:
        state["state"] = "failed"
        state["message"] = "the import stopped without finishing (the server restarted?)"
    return JobView(
        id=state["id"],
        owner=state["owner"],
        round=state["round"],
        source=state["source"],
        state=state["state"],
        read={str(k): int(v) for k, v in state.get("read", {}).items()},
        table=state.get("table"),
        total=state.get("total"),
        message=state.get("message"),
        problems=list(state.get("problems", [])),
        report=state.get("report"),
    )
