"""``safepath keys``: the field-encryption key ring."""

from __future__ import annotations

import typer

from safepath.cli.common import progress_bar
from safepath.privacy import audit, blobs, reindex, rotation
from safepath.privacy.actor import SYSTEM
from safepath.privacy.keys import get_keyring, init_keyring, key_file_path, reset_keyring
from safepath.store.db import get_engine, session_scope

app = typer.Typer(no_args_is_help=True, help="Encryption keys.")


@app.command()
def init() -> None:
    """Create the key ring file (0600) in the data directory or at SAFEPATH_KEY_FILE.
    An existing ring is kept as it is (never overwritten: that would lose every encrypted field)."""
    path = key_file_path()
    if path.exists():
        ring = get_keyring()
        typer.echo(f"key ring {path} already exists (current key {ring.current}); kept as it is")
        return
    ring, path = init_keyring()
    typer.echo(f"created key ring {path} (current key {ring.current})")


@app.command()
def status() -> None:
    """Show key ids (never key material) and how many rows wait for re-encryption."""
    ring = get_keyring()
    typer.echo(f"current key: {ring.current}")
    typer.echo(f"keys in ring: {', '.join(sorted(ring.keys))}")
    typer.echo(f"rotation in progress: {'yes' if ring.rotating else 'no'}")
    typer.echo(f"rows not on the current key: {rotation.pending(get_engine(), ring)}")
    typer.echo(f"  of which attached files' contents: {blobs.pending(get_engine(), ring)}")


@app.command()
def rotate() -> None:
    """Make a new key current and re-encrypt every encrypted field with it, in committed batches.
    Interrupted? Run it again: it continues with the same new key."""
    ring, resumed = rotation.start_rotation()
    engine = get_engine()
    todo = rotation.pending(engine, ring)
    typer.echo(
        f"{'resuming rotation' if resumed else 'rotating'} to key {ring.current}: "
        f"{todo} row(s) to re-encrypt"
    )
    with progress_bar("re-encrypting", todo) as advance:
        rows, values = rotation.reencrypt(engine, ring, advance=advance)
    rotation.finish_rotation(ring)
    reset_keyring()
    with session_scope() as s:
        audit.record(
            s, SYSTEM, "key_rotate", "key_ring", ring.current, fields=(f"{values} values",)
        )
    typer.echo(f"re-encrypted {values} value(s) in {rows} row(s); current key {ring.current}")


@app.command("reindex")
def reindex_names() -> None:
    """Rebuild every person's name and phone search index (keyed digests) with the current
    normalisation rules, in committed batches. ``safepath db upgrade`` does it when the rules
    changed; running it again writes the same digests."""
    engine = get_engine()
    with session_scope() as s:
        todo = len(reindex.person_ids(s))
    with progress_bar("re-indexing names", todo) as advance:
        done = reindex.rebuild(engine, advance=advance)
    typer.echo(f"rebuilt the name and phone search index of {done} person(s)")
