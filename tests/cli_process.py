"""Run the real CLI in its own process, as a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    args: list[str], data_dir: Path | None = None, **env_extra: str
) -> subprocess.CompletedProcess[str]:
    """``safepath ARGS`` in a subprocess. With ``data_dir``: a clean environment (no SAFEPATH_*
    from the test process) pointed at that directory; without: the test's current settings."""
    if data_dir is None:
        env = dict(os.environ)
    else:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPATH_")}
        env["SAFEPATH_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = "200"  # rich wraps at the terminal width
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "safepath.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=180,
    )
