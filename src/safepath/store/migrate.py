"""Schema migrations with Alembic, driven from code (``safepath db upgrade`` / ``db status``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from safepath.store.db import get_engine


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("safepath.store") / "migrations"))
    return cfg


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    engine = engine or get_engine()
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@dataclass(frozen=True)
class Status:
    url: str
    current: str | None
    head: str
    pending: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def status(engine: Engine | None = None) -> Status:
    engine = engine or get_engine()
    script = ScriptDirectory.from_config(_config())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = script.get_current_head()
    assert head is not None
    pending = [rev.revision for rev in script.iterate_revisions(head, current)]
    pending.reverse()
    return Status(engine.url.render_as_string(hide_password=True), current, head, pending)
