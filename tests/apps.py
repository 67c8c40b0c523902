"""One app per test process (per creation-time settings), as a server runs one for many requests.

Building FastAPI's routes costs about 0.3 s of CPU per ``create_app()``; hundreds of tests paid it
again for every test. The app reads everything else (database, data directory, keys, throttles)
from the settings and the database per request, so each test still gets its own world."""

from __future__ import annotations

from fastapi import FastAPI

from safepath.app import create_app
from safepath.settings import get_settings

_APPS: dict[tuple[int, int, int], FastAPI] = {}


def shared_app() -> FastAPI:
    """``create_app()``, reused while the settings it reads at creation are the same."""
    s = get_settings()
    key = (s.max_json_bytes, s.max_upload_bytes, s.server_threads)
    if key not in _APPS:
        _APPS[key] = create_app()
    return _APPS[key]
