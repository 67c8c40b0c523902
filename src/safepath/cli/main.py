"""Entry point: one typer app, one sub-app per domain. Errors print a message and exit non-zero."""

from __future__ import annotations

import importlib
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


# name -> (module, attribute, kind): imported only when that command runs, so a subprocess pays
# for its own command's imports (pyxform, ibis, pandas) and not for all of them.
_SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "db": ("safepath.cli.db", "app", "group"),
    "users": ("safepath.cli.users", "app", "group"),
    "keys": ("safepath.cli.keys", "app", "group"),
    "audit": ("safepath.cli.audit", "app", "group"),
    "retention": ("safepath.cli.retention", "app", "group"),
    "framework": ("safepath.cli.framework", "app", "group"),
    "places": ("safepath.cli.places", "app", "group"),
    "sdc": ("safepath.cli.sdc", "app", "group"),
    "forms": ("safepath.cli.forms", "app", "group"),
    "surveys": ("safepath.cli.surveys", "app", "group"),
    "complaints": ("safepath.cli.accountability", "complaints_app", "group"),
    "advocacy": ("safepath.cli.accountability", "advocacy_app", "group"),
    "mainstreaming": ("safepath.cli.accountability", "mainstreaming_app", "group"),
    "serve": ("safepath.cli.serve", "serve", "command"),
    "demo": ("safepath.cli.serve", "demo", "command"),
    "outcomes": ("safepath.cli.outcomes", "outcomes", "command"),
    "risk": ("safepath.cli.risk", "app", "group"),
    "analysis": ("safepath.cli.analysis", "app", "group"),
    "report": ("safepath.cli.report", "app", "group"),
}
_registered: set[str] = set()


def _register(only: str | None = None) -> None:
    """Add the sub-apps (each once), so `safepath --help` lists them all; with ``only`` naming a
    sub-command, just that one (the rest are never imported by that process)."""
    if only == "version":
        return
    names = [only] if only in _SUBCOMMANDS else list(_SUBCOMMANDS)
    for name in names:
        if name in _registered:
            continue
        _registered.add(name)
        module, attribute, kind = _SUBCOMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if kind == "group":
            app.add_typer(target, name=name)
        else:
            app.command()(target)


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
    _register(sys.argv[1] if len(sys.argv) > 1 else None)
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
