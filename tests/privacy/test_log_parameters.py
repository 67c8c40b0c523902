"""A failing statement never puts personal values in the error message of the engine or in the
server log (PostgreSQL's own error text quotes the failing row; the log filter withholds it)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from safepath.http.security import RedactDatabaseErrors
from safepath.store.db import session_scope

SEED = "Seeded-Secret-7Q2"


def _fail() -> DBAPIError:
    with pytest.raises(DBAPIError) as info, session_scope() as s:
        # level 99 violates the check constraint: the database refuses the row
        s.execute(
            text(
                "INSERT INTO places (pcode, level, country, name) VALUES (:code, 99, 'XMR', :name)"
            ),
            {"code": "XM9999", "name": SEED},
        )
    return info.value


def test_the_engine_hides_bound_parameters(engine: Engine) -> None:
    message = str(_fail())
    assert "INSERT INTO places" in message  # the statement is still named, for the operator
    assert "[parameters:" not in message


def test_the_server_log_withholds_database_error_text(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    exc = _fail()
    log = logging.getLogger("safepath")
    log.addFilter(RedactDatabaseErrors())
    try:
        with caplog.at_level(logging.ERROR, logger="safepath"):
            try:
                raise RuntimeError("request failed") from exc
            except RuntimeError:
                log.exception("unhandled error on %s", "/api/v1/persons")
    finally:
        for f in [f for f in log.filters if isinstance(f, RedactDatabaseErrors)]:
            log.removeFilter(f)
    assert "unhandled error on /api/v1/persons" in caplog.text
    assert "values withheld" in caplog.text and "INSERT INTO places" in caplog.text
    assert SEED not in caplog.text and "XM9999" not in caplog.text
