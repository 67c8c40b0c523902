"""``safepath serve`` and ``safepath demo``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from safepath.settings import get_settings

Port = Annotated[int, typer.Option(help="TCP port to listen on")]
Host = Annotated[str, typer.Option(help="Interface to listen on")]
Workers = Annotated[
    int | None,
    typer.Option(min=1, max=32, help="Worker processes (default: one per CPU, at most 8)"),
]


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _run(host: str, port: int, workers: int | None = None) -> None:
    import uvicorn

    from safepath.privacy.keys import get_keyring

    get_keyring()  # created (if absent) once here, before the workers start
    uvicorn.run(
        "safepath.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers or default_workers(),
        log_level="warning",
        proxy_headers=False,
        # uvicorn kills a worker that does not answer its health ping within this many seconds,
        # with every request it holds; its default (5 s) killed busy workers under a login
        # burst on 2 loaded cores (each login is a 64 MiB argon2 hash)
        timeout_worker_healthcheck=60,
    )


def serve(port: Port = 8000, host: Host = "127.0.0.1", workers: Workers = None) -> None:
    """Serve the web app and the API (several worker processes)."""
    from safepath.store import migrate

    st = migrate.status()
    if st.pending:
        typer.echo(
            f"database schema is behind ({', '.join(st.pending)}); run `safepath db upgrade`",
            err=True,
        )
        raise typer.Exit(3)
    n = workers or default_workers()
    typer.echo(
        f"Safepath on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs; "
        f"{n} worker{'s' if n > 1 else ''})"
    )
    _run(host, port, n)


def demo(
    port: Port = 8000,
    host: Host = "127.0.0.1",
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the demo data only")] = False,
    cases: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=100_000,
            help="Demo cases to create on the first load [default: 2000; fewer load faster]",
        ),
    ] = None,
) -> None:
    """Migrate, load the demo data (idempotent) and serve it."""
    from safepath.demo import accountability as demo_accountability
    from safepath.demo import analysis as demo_analysis
    from safepath.demo import cases as demo_cases
    from safepath.demo import load_demo
    from safepath.store import migrate

    settings = get_settings()
    migrate.upgrade()
    summary = load_demo() + (demo_cases.load(cases) if cases else demo_cases.load())
    summary += demo_accountability.load()  # complaints, advocacy, self-assessments
    summary += demo_analysis.load()  # a classified survey round: the areas' latest phases
    typer.echo(f"demo data in {settings.data_dir.resolve()}:")
    for line in summary:
        typer.echo(f"  {line}")
    if no_serve:
        return
    typer.echo(f"\nOpen http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)")
    _run(host, port)
