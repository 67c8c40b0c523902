"""XLSForm questionnaires shipped with Safepath (readable sources and the generated .xlsx)."""

from __future__ import annotations

from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent


def form_path(form_id: str) -> Path:
    """Path of a shipped XLSForm, e.g. ``form_path("safepath-screening-v1")``."""
    return FORMS_DIR / f"{form_id}.xlsx"
