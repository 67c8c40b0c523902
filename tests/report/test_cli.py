"""`safepath report paf --round` as a user runs it: the stored MSNA round, its places and
boundaries, the loa.xlsx sample frame; HTML with the figures, the map, household disability from
the roster; bad options refused before any file is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.cli_process import run_cli
from tests.web.test_paf_page import store_msna

from safepath.analysis.design import Design
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import from_frame
from safepath.risk import load_model, score_table
from safepath.risk.table import as_table
from safepath.rounds import service
from safepath.store.db import session_scope
from safepath.surveys.tables import read_table

pytestmark = pytest.mark.shared
REACH = "data/reach-msna-2024"
MODEL = "reach-msna-2024-protection"


@pytest.mark.usefixtures("engine")
def test_report_of_a_stored_round(shared_dir: Path, tmp_path: Path) -> None:
    store_msna(shared_dir, tmp_path)
    out = tmp_path / "report.html"
    args = ["report", "paf", "--round", "msna", "--model", MODEL, "--strata", "stratum"]
    args += ["--cluster", "cluster_id", "--household-size", "hh_size", "--lang", "fr"]
    args += ["--frame", str(shared_dir / REACH / "loa.xlsx"), "--out", str(out)]
    done = run_cli(args)
    assert done.returncode == 0, done.stderr
    assert "2 areas, 241 records, fr" in done.stdout
    html = out.read_text(encoding="utf-8")
    assert 'lang="fr" dir="ltr"' in html and "Analyse de protection" in html
    with session_scope() as s:
        main = service.load_table(s, "msna")
    scored = as_table(score_table(load_model(MODEL), main).to_pyarrow())
    frame = read_table(shared_dir / REACH / "loa.xlsx", sheet="sample_frame")
    design = Design(weight="weight", strata="stratum", cluster="cluster_id")
    [overall] = people_in_need(
        scored,
        design,
        from_frame(frame, [], source="loa.xlsx"),
        phase=3,
        household_size="hh_size",
    )
    found = re.search(r'id="summary-pin".*?data-value="([^"]+)"', html, re.S)
    assert found and float(found.group(1)) == pytest.approx(overall.pin, rel=1e-12)
    assert html.count('data-pcode="PCODE2"><title>') == 2  # both maps draw the stored outline
    # household disability: any roster member with a lot of difficulty (WG), by default
    assert 'id="group-disability"' in html and "wgq_vision" in html


@pytest.mark.usefixtures("engine")
def test_bad_options_write_nothing(tmp_path: Path) -> None:
    where = tmp_path / "out"
    where.mkdir()
    out = where / "report.docx"
    done = run_cli(["report", "paf", "--round", "x", "--model", MODEL, "--out", str(out)])
    assert done.returncode == 2 and "write a .html or a .pdf" in done.stderr
    done = run_cli(
        ["report", "paf", "--round", "nope", "--model", MODEL, "--out", str(where / "r.pdf")]
    )
    assert done.returncode != 0 and "no survey round 'nope'" in done.stderr
    assert not list(where.iterdir())
