"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL: a column
added to a model without a migration (or a migration that drifts from its model) fails here,
instead of failing in the field at the first write."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import safepath.store.models  # noqa: F401  (registers every table on the metadata)
from safepath.store import migrate
from safepath.store.models.base import Base


def _diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    assert migrate.status(engine).up_to_date
    assert _diff(engine) == []


def test_one_head_and_a_linear_history() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config())
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = list(script.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)
    assert revisions[-1].down_revision is None
