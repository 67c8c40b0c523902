"""R's ``survey`` package as the reference implementation: one Rscript run per test module.

Skips when Rscript, ``survey`` or ``jsonlite`` is missing, unless SAFEPATH_REQUIRE_R=1 (CI),
where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REQUIRED = os.environ.get("SAFEPATH_REQUIRE_R") == "1"
SCRIPT = Path(__file__).with_name("oracle.R")


def _unavailable() -> str | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed (Debian: apt-get install r-cran-survey r-cran-jsonlite)"
    probe = subprocess.run(
        [rscript, "-e", "library(survey); library(jsonlite)"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if probe.returncode != 0:
        return "R lacks the survey or jsonlite package: " + probe.stderr.strip()[-300:]
    return None


def require_r() -> None:
    """Skip (fail under SAFEPATH_REQUIRE_R=1) when R cannot be the oracle."""
    why = _unavailable()
    if why is not None:
        if REQUIRED:
            pytest.fail(f"SAFEPATH_REQUIRE_R=1 but {why}")
        pytest.skip(why)


def run_oracle(cases: list[dict[str, Any]], tmp: Path) -> dict[str, list[dict[str, Any]]]:
    """Rows per case id: ``{case, var, group, name, est, se, lo, hi, deff}`` or ``{error}``."""
    require_r()
    spec, result = tmp / "cases.json", tmp / "results.json"
    spec.write_text(json.dumps(cases), encoding="utf-8")
    done = subprocess.run(
        ["Rscript", str(SCRIPT), str(spec), str(result)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, list[dict[str, Any]]] = {}
    for case, rows in zip(cases, json.loads(result.read_text(encoding="utf-8")), strict=True):
        out[case["id"]] = rows
    return out
