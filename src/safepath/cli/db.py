"""``safepath db``: schema migrations."""

from __future__ import annotations

import typer

from safepath.store import migrate

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
