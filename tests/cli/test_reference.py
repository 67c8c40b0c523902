"""docs/cli.md is generated from the Typer app: it must match what the code renders today."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from safepath.cli.reference import REGENERATE, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_committed_cli_reference_matches_the_app() -> None:
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    fresh = render()
    if committed != fresh:
        diff = difflib.unified_diff(
            committed.splitlines(), fresh.splitlines(), "docs/cli.md", "rendered", lineterm="", n=1
        )
        excerpt = "\n".join(list(diff)[:40])
        stale = "docs/cli.md is out of date with the CLI; regenerate it"
        pytest.fail(f"{stale}: {REGENERATE}\n{excerpt}")


def test_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = render()
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    assert render() == wide
