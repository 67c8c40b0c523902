"""Entry point: one typer app, one sub-app per domain. Errors print a message and exit non-zero."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from safepath import __version__
from safepath.errors import SafepathError
from safepath.wiring import wire

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Safepath protection system.")
err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Safepath: protection case management and protection analysis."""


@app.command()
def version() -> None:
    """Print the Safepath version."""
    typer.echo(__version__)


_registered = False


def _register() -> None:
    """Add every sub-app (once: later calls do nothing), so `safepath --help` lists them all."""
    global _registered
    if _registered:
        return
    _registered = True
    from safepath.cli import (
        audit,
        db,
        forms,
        framework,
        keys,
        outcomes,
        places,
        retention,
        sdc,
        serve,
        surveys,
        users,
    )

    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(keys.app, name="keys")
    app.add_typer(audit.app, name="audit")
    app.add_typer(retention.app, name="retention")
    app.add_typer(framework.app, name="framework")
    app.add_typer(places.app, name="places")
    app.add_typer(sdc.app, name="sdc")
    app.add_typer(forms.app, name="forms")
    app.add_typer(surveys.app, name="surveys")
    app.command()(serve.serve)
    app.command()(serve.demo)
    app.command()(outcomes.outcomes)
    from safepath.cli.analysis import app as analysis_app
    from safepath.cli.risk import app as risk_app

    app.add_typer(risk_app, name="risk")
    app.add_typer(analysis_app, name="analysis")
    from safepath.cli.report import app as report_app

    app.add_typer(report_app, name="report")


NOT_SET_UP = "the database is not set up: run `safepath db upgrade`"
BEHIND = "the database schema is out of date: run `safepath db upgrade`"


def _schema_problem() -> str | None:
    """After a database error: why, when it is a missing or outdated schema (else None)."""
    from safepath.store import migrate

    try:
        st = migrate.status()
    except Exception:  # noqa: BLE001 - the database cannot even say; report the first error
        return None
    if st.current is None:
        return NOT_SET_UP
    return BEHIND if st.pending else None


def main() -> None:
    from sqlalchemy.exc import DBAPIError

    wire()  # the same record kinds, erasure steps and retention holds as the server
    _register()
    try:
        app()
    except SafepathError as exc:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)
        for problem in exc.problems[:20]:
            err.print(f"  - {problem}", highlight=False)
        sys.exit(2 if exc.status < 500 else 1)
    except DBAPIError:
        # A command run before ``safepath db upgrade``: one line, not a page of traceback.
        why = _schema_problem()
        if why is None:
            raise
        err.print(f"[red]error:[/red] {why}", highlight=False)
        sys.exit(2)
