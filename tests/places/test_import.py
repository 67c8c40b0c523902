"""Place import from HXL tables: counts, idempotence, and bad inputs that leave nothing behind."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.cli_process import run_cli

from safepath.errors import InputError
from safepath.places import import_places, read_place_table
from safepath.store.db import session_scope
from safepath.store.models import Place

HEADER = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
TAGS = "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
GOOD = (
    HEADER + TAGS + "XMR,1,XM01,North,XMR,2024-01-01\n"
    "XMR,2,XM0101,North One,XM01,2024-01-01\n"
    "XMR,2,XM0102,North Two,XM01,2024-01-01\n"
    "XMS,1,XS01,Other,XMS,\n"
)


def write(tmp_path: Path, text: str, name: str = "places.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Place)) or 0


def run_import(path: Path) -> tuple[int, int, int, int]:
    rows = read_place_table(path)
    with session_scope() as session:
        r = import_places(session, rows)
    return r.created, r.updated, r.unchanged, r.countries_created


def test_import_creates_hierarchy_and_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert run_import(path) == (4, 0, 0, 2)
    with session_scope() as s:
        child = s.get(Place, "XM0102")
        assert child is not None
        assert (child.level, child.parent_pcode, child.country, child.name) == (
            2,
            "XM01",
            "XMR",
            "North Two",
        )
        assert str(child.valid_from) == "2024-01-01"
        country = s.get(Place, "XMS")
        assert country is not None and country.level == 0
        assert s.get(Place, "XS01").valid_from is None  # type: ignore[union-attr]
    assert count(engine) == 6
    assert run_import(path) == (0, 0, 4, 0)
    assert count(engine) == 6


def test_changed_name_is_updated_not_duplicated(engine: Engine, tmp_path: Path) -> None:
    run_import(write(tmp_path, GOOD))
    assert run_import(write(tmp_path, GOOD.replace("North Two", "Northern Two"))) == (0, 1, 3, 0)
    with session_scope() as s:
        assert s.get(Place, "XM0102").name == "Northern Two"  # type: ignore[union-attr]
    assert count(engine) == 6


@pytest.mark.parametrize(
    ("text", "row", "column", "fragment"),
    [
        (
            HEADER + TAGS + "XMR,2,XM0201,Orphan,XM02,2024-01-01\n",
            3,
            "#adm+code+parent",
            "parent P-code 'XM02' does not exist",
        ),
        (
            GOOD + "XMR,two,XM0103,Bad level,XM01,2024-01-01\n",
            7,
            "Admin Level",
            "admin level must be a whole number",
        ),
        (GOOD + "XMR,2,XM0104,Bad date,XM01,2024-13-45\n", 7, "Valid from date", "not a date"),
        (GOOD + "XMR,2,,No code,XM01,2024-01-01\n", 7, "P-Code", "empty value"),
        (GOOD + "XMR,2,XM0101,Again,XM01,2024-01-01\n", 7, "#adm+code", "appears again"),
        (GOOD + "XMR,2,XM0105,Wrong level,XMR,2024-01-01\n", 7, "#adm+code+parent", "expected 1"),
    ],
)
def test_bad_rows_fail_with_row_and_column_and_import_nothing(
    engine: Engine, tmp_path: Path, text: str, row: int, column: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        run_import(path)
    problem = info.value.problems[0]
    assert problem.row == row
    assert problem.column is not None and column in problem.column
    assert fragment in problem.message
    assert count(engine) == 0


def test_another_source_is_kept_and_reported_unless_told(engine: Engine, tmp_path: Path) -> None:
    with session_scope() as s:
        import_places(s, read_place_table(write(tmp_path, GOOD)), source="cod")
    other = GOOD.replace("North Two", "Nord Deux") + "XMR,2,XM0103,North Three,XM01,\n"
    rows = read_place_table(write(tmp_path, other, "dtm.csv"))
    with session_scope() as s:
        report = import_places(s, rows, source="dtm")
    assert (report.created, report.updated, report.unchanged) == (1, 0, 3)
    assert [(k.pcode, k.source, k.row, k.changes) for k in report.kept] == [
        ("XM0102", "cod", 5, (("name", "North Two", "Nord Deux"),))
    ]
    assert report.kept_by_source() == {"cod": 1}
    with session_scope() as s:
        assert s.get(Place, "XM0102").name == "North Two"  # type: ignore[union-attr]
        assert s.get(Place, "XM0103").source == "dtm"  # type: ignore[union-attr]
        assert s.get(Place, "XM01").source == "cod"  # type: ignore[union-attr]
    # A newer version of the same source updates; --update-from lets another source take over.
    with session_scope() as s:
        assert import_places(s, rows, source="dtm", update_from=["cod"]).updated == 1
    with session_scope() as s:
        place = s.get(Place, "XM0102")
        assert place is not None and (place.name, place.source) == ("Nord Deux", "dtm")
    with session_scope() as s:
        again = import_places(s, read_place_table(write(tmp_path, GOOD)), source="dtm")
    assert (again.updated, again.kept) == (1, [])


def test_cli_dry_run_reports_and_writes_nothing(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    with session_scope() as s:
        import_places(s, read_place_table(write(tmp_path, GOOD)), source="cod")
    path = write(tmp_path, GOOD.replace("North Two", "=HYPERLINK(1)"), "dtm.csv")
    kept = tmp_path / "kept.csv"
    result = run_cli(["places", "import", str(path), "--dry-run", "--report", str(kept)])
    assert result.returncode == 0, result.stderr
    assert "1 places kept as stored from cod" in result.stdout
    assert "XM0102 (row 5, from cod): name 'North Two' -> '=HYPERLINK(1)'" in result.stdout
    assert "dry run: nothing written" in result.stdout
    # The report is a CSV an analyst opens in a spreadsheet: the formula is neutralised.
    assert kept.read_text(encoding="utf-8").splitlines()[1] == (
        "XM0102,5,cod,name,North Two,'=HYPERLINK(1)"
    )
    with session_scope() as s:
        assert s.get(Place, "XM0102").name == "North Two"  # type: ignore[union-attr]
        assert s.get(Place, "XM0102").source == "cod"  # type: ignore[union-attr]


def test_missing_hxl_tags_are_named(engine: Engine, tmp_path: Path) -> None:
    no_tags = write(tmp_path, HEADER + "XMR,1,XM01,North,XMR,2024-01-01\n")
    with pytest.raises(InputError, match="no HXL hashtag row"):
        read_place_table(no_tags)
    no_parent = write(
        tmp_path,
        HEADER + TAGS.replace("#adm+code+parent", "#x") + "XMR,1,XM01,North,XMR,\n",
        "p2.csv",
    )
    with pytest.raises(InputError, match=r"#adm\+code\+parent"):
        read_place_table(no_parent)
    no_country = write(
        tmp_path, HEADER + TAGS.replace("#country+code", "#x") + "XMR,1,XM01,North,XMR,\n", "p3.csv"
    )
    with pytest.raises(InputError, match=r"#country\+code"):
        read_place_table(no_country)
    assert count(engine) == 0


def test_wide_layout_from_dtm_style_table(engine: Engine, tmp_path: Path) -> None:
    text = (
        "c,a1,a1n,a2,a2n\n#country+code,#adm1+code,#adm1+name,#adm2+code,#adm2+name\n"
        "XMR,XM01,North,XM0101,North One\nXMR,XM01,North,XM0102,North Two\nXMR,,,,\n"
    )
    assert run_import(write(tmp_path, text)) == (3, 0, 0, 1)
    assert count(engine) == 4


@pytest.mark.shared
@pytest.mark.slow
def test_cli_imports_global_pcodes_twice(
    db_url: str, shared_dir: Path, engine: Engine, tmp_path: Path
) -> None:
    source = shared_dir / "data" / "iom-dtm-hxl" / "global-pcodes-adm-1-2.csv"
    cmd = [sys.executable, "-m", "safepath.cli", "places", "import", str(source)]
    first = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "33363 places imported" in first.stdout
    assert "156 countries added" in first.stdout
    with session_scope() as s:
        assert s.scalar(select(func.count()).where(Place.level.in_([1, 2]))) == 33363
        assert s.scalar(select(func.count()).where(Place.level == 0)) == 156
    second = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert "no change" in second.stdout
    assert count(engine) == 33363 + 156

    # The DTM table after the COD one: its 584 differing places are kept as the COD has them
    # (AF1722 "Darwaz-e-Payin" is not DTM's "Darwaz-e-Balla", a different district).
    dtm = shared_dir / "data" / "iom-dtm-hxl" / "global-iom-dtm-from-api-admin-0-to-2.csv"
    kept_csv = tmp_path / "kept.csv"
    third = subprocess.run(
        [*cmd[:-1], str(dtm), "--report", str(kept_csv)], capture_output=True, text=True
    )
    assert third.returncode == 0, third.stderr
    assert "4 places imported, 0 updated" in third.stdout
    assert "584 places kept as stored from global-pcodes-adm-1-2.csv" in third.stdout
    with kept_csv.open(encoding="utf-8") as f:
        kept = list(csv.DictReader(f))
    assert len({r["pcode"] for r in kept}) == 584
    assert {"pcode": "AF1722", "field": "name", "stored": "Darwaz-e-Payin"}.items() <= next(
        r for r in kept if r["pcode"] == "AF1722" and r["field"] == "name"
    ).items()
    with session_scope() as s:
        darwaz, west = s.get(Place, "AF1722"), s.get(Place, "HT01")
        assert darwaz is not None and west is not None
        assert (darwaz.name, str(darwaz.valid_from), darwaz.source) == (
            "Darwaz-e-Payin",
            "2019-10-22",
            "global-pcodes-adm-1-2.csv",
        )
        assert west.name == "West"
    # Told to, the DTM values replace the COD's, and the places now name the DTM as source.
    with session_scope() as s:
        r = import_places(
            s, read_place_table(dtm), source=dtm.name, update_from=["global-pcodes-adm-1-2.csv"]
        )
    assert (r.created, r.updated, len(r.kept)) == (0, 584, 0)
    with session_scope() as s:
        darwaz = s.get(Place, "AF1722")
        assert darwaz is not None and (darwaz.name, darwaz.source) == ("Darwaz-e-Balla", dtm.name)


def test_cli_bad_file_exits_non_zero_and_names_row(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    path = write(tmp_path, HEADER + TAGS + "XMR,2,XM0201,Orphan,XM02,2024-01-01\n")
    result = subprocess.run(
        [sys.executable, "-m", "safepath.cli", "places", "import", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "row 3" in result.stderr and "XM02" in result.stderr
    assert count(engine) == 0
