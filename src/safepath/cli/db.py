"""``safepath db``: schema migrations."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from safepath.cli.common import progress_bar
from safepath.privacy import reindex
from safepath.store import migrate
from safepath.store.db import get_engine

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command()
def upgrade() -> None:
    """Apply every pending migration (creates the SQLite database in the data directory)."""
    before = migrate.status()
    migrate.upgrade()
    after = migrate.status()
    if before.pending:
        typer.echo(
            f"upgraded {after.url} from {before.current or 'empty'} to {after.current} "
            f"({len(before.pending)} migration(s))"
        )
    else:
        typer.echo(f"{after.url} is up to date at {after.current}")
    _reindex_if_stale()


def _reindex_if_stale() -> None:
    """Blind-index digests built under older normalisation rules are rebuilt once (a re-run
    finds them current and does nothing)."""
    engine = get_engine()
    with Session(engine) as s:
        todo = reindex.pending(s)
    if not todo:
        return
    with progress_bar("re-indexing names", todo) as advance:
        done = reindex.rebuild(engine, advance=advance)
    typer.echo(f"rebuilt the name and phone search index of {done} person(s)")


@app.command()
def status() -> None:
    """Show the current schema revision and what is pending."""
    st = migrate.status()
    typer.echo(f"database: {st.url}")
    typer.echo(f"current:  {st.current or '(empty)'}")
    typer.echo(f"head:     {st.head}")
    if st.pending:
        typer.echo(f"pending:  {', '.join(st.pending)} — run `safepath db upgrade`")
        raise typer.Exit(3)
    typer.echo("up to date")
