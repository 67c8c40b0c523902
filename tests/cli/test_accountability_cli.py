"""``safepath complaints list|report``, ``safepath advocacy list``, ``safepath mainstreaming
rollup``: each in its own process once, then variations in process. The CLI acts as the user
named by ``--as`` under the same access policy as the server: the sensitive complaint exists for
the PSEA focal point only, a role without access is refused."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli_process import run_cli
from tests.feedback.conftest import PASSWORD, People, _fast_hashing
from tests.feedback.matrix_records import new_complaint, new_issue, new_project
from tests.privacy.conftest import add_one_user_per_role
from typer.testing import CliRunner

from safepath.directory import OrganisationIn, upsert_organisation
from safepath.privacy.actor import Role
from safepath.settings import reset_settings
from safepath.store.db import dispose_engines, session_scope
from safepath.store.models import Place

__all__ = ["_fast_hashing"]
SEA = "sexual_exploitation_abuse"


@pytest.fixture
def world(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[People, str, str]]:
    """One SQLite database (the commands run in their own processes on it): a user per role,
    an ordinary and a sensitive complaint, an advocacy issue, a project with two assessments."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "safepath.db")
    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SAFEPATH_ENVIRONMENT", "test")
    monkeypatch.delenv("SAFEPATH_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAFEPATH_DISCLOSURE_THRESHOLD", "1")
    reset_settings()
    dispose_engines()
    people = People()
    with session_scope() as s:
        upsert_organisation(s, OrganisationIn(code="agency-a", name="Agency A", kind="agency"))
        s.add(Place(pcode="XM", level=0, country="XMR", name="XM"))
        s.add(Place(pcode="XM0101", level=2, parent_pcode=None, country="XMR", name="XM0101"))
        add_one_user_per_role(s, PASSWORD, people.actors, people.tokens)
    cw = people.actors["caseworker"]
    ordinary, _ = new_complaint(cw, description="=HYPERLINK(1)", place_pcode="XM0101")
    sensitive, _ = new_complaint(cw, category=SEA, description="A volunteer asked for sex")
    new_issue(people.actors["supervisor"])
    new_project(people.actors["supervisor"])
    yield people, ordinary, sensitive
    dispose_engines()
    reset_settings()


def _cli(*args: str) -> tuple[int, str]:
    from safepath.cli.main import _register, app

    _register()
    result = CliRunner().invoke(app, list(args))
    # a refusal is raised to ``safepath.cli.main.main``, which prints it (as the process does)
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def test_each_command_in_its_own_process(world: tuple[People, str, str]) -> None:
    _, ordinary, sensitive = world
    done = run_cli(["complaints", "list", "--as", "supervisor.a", "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert [c["code"] for c in json.loads(done.stdout)] == [ordinary]
    done = run_cli(["complaints", "report", "--as", "psea_focal_point.a", "--format", "csv"])
    assert done.returncode == 0, done.stderr
    rows = {r["category"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert rows[SEA]["complaints"] == "1" and rows["(all)"]["complaints"] == "2"
    done = run_cli(["advocacy", "list", "--as", "caseworker.a", "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert [i["title"] for i in json.loads(done.stdout)] == ["Access to civil registration"]
    done = run_cli(["mainstreaming", "rollup", "--as", "analyst.a", "--format", "csv"])
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    # the project's latest checklist scores 2 of 3 everywhere: 66.7 per cent in every cell
    assert len(table) == 5 and table[-1]["principle"] == "(all)"
    assert {v for r in table for k, v in r.items() if k not in ("principle", "all_stages")} == {
        "66.7"
    }


@pytest.mark.parametrize(
    "who", [f"{r.value}.a" for r in Role if r is not Role.psea_focal_point] + ["caseworker.b"]
)
def test_the_sensitive_complaint_exists_for_the_psea_focal_point_only(
    world: tuple[People, str, str], who: str
) -> None:
    _, _ordinary, sensitive = world
    for command in (["complaints", "list"], ["complaints", "report", "--by", "category"]):
        code, output = _cli(*command, "--as", who, "--format", "json")
        assert sensitive not in output and SEA not in output, (who, command)
        if command[1] == "report" and code == 0:
            total = json.loads(output)[-1]
            # the sensitive one is not counted either (another agency counts none of A's)
            assert total["complaints"] == (1 if who.endswith(".a") else None)
    code, output = _cli("complaints", "list", "--as", "psea_focal_point.a", "--format", "json")
    assert code == 0 and sensitive in output


def test_refusals_and_cells_that_read_as_formulas(world: tuple[People, str, str]) -> None:
    code, output = _cli("complaints", "list", "--as", "admin.a")
    assert code != 0 and "may not read or handle complaints" in " ".join(output.split())
    code, output = _cli("complaints", "list", "--as", "nobody")
    assert code != 0
    code, output = _cli("complaints", "report", "--as", "supervisor.a", "--by", "weather")
    assert code != 0 and "weather" in output
    code, output = _cli("advocacy", "list", "--as", "supervisor.a", "--status", "later")
    assert code != 0 and "later" in output
    code, output = _cli("mainstreaming", "rollup", "--as", "partner_focal_point.a")
    assert code != 0 and "may not" in output
    # the list carries no free text (the description is a would-be formula: not there at all)
    code, output = _cli("complaints", "list", "--as", "supervisor.a", "--format", "csv")
    assert code == 0 and "HYPERLINK" not in output
