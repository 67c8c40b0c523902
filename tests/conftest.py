"""Shared test fixtures: the ../shared acceptance data, and engines for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` when present (CI, developers); tests that need it skip cleanly otherwise."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is absent (a user's clone): acceptance data not available")
    return SHARED
