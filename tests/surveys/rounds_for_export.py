"""Stored rounds of the sample form for the export tests: a safe one (four key patterns of 40
households) and one with a few unique households on the policy's keys (hh_size, displaced)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.surveys.sample import MAIN_HEADER, write_form

from safepath.privacy.actor import SYSTEM
from safepath.rounds import service
from safepath.rounds.forms import add_form
from safepath.store.db import session_scope


def rows(unique: int = 0, common: int = 40) -> list[list[Any]]:
    out: list[list[Any]] = []
    patterns = [(2, "yes"), (2, "no"), (3, "yes"), (3, "no")]
    combos = [p for p in patterns for _ in range(common)]
    combos += [(10 + i, "yes") for i in range(unique)]  # households of a size no one else has
    for i, (size, displaced) in enumerate(combos, 1):
        out.append(
            [
                "2024-05-01T09:00:00",
                "2024-05-01T09:30:00",
                f"Person {i}",
                "",
                size,
                displaced,
                "food",
                1,
                0,
                0,
                "",
                "",
                f"u-{i}",
                "2024-05-01T10:00:00",
                i,
            ]
        )
    return out


def export_csv(unique: int = 0, common: int = 40) -> str:
    """The round as a Kobo CSV export of the sample form."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([MAIN_HEADER, *rows(unique, common)])
    return buf.getvalue()


def store_round(tmp_path: Path, name: str, unique: int = 0, common: int = 40) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(export_csv(unique, common), encoding="utf-8")
    form = tmp_path / "sample.xlsx"
    if not form.exists():  # one workbook: the same form version for every round
        write_form(form)
    with session_scope() as s:
        row = add_form(s, form, by="test").row
        service.import_round(s, row, path, round_name=name, actor=SYSTEM, by="test")


def lenient_policy(tmp_path: Path) -> Path:
    """An operation's policy file that lets every dataset out (k 1, any risk): for tests about
    something else than disclosure that export a tiny round."""
    path = tmp_path / "lenient-policy.yaml"
    kinds = {
        kind: f"  {kind}:\n    label: {kind}\n    keys: [displaced, admin1]\n    k: 1\n"
        "    max_global_risk: 1\n    max_individual_risk: 1\n"
        for kind in ("survey_round", "analysis_microdata")
    }
    path.write_text("kinds:\n" + "".join(kinds.values()), encoding="utf-8")
    return path
