"""Place import from HXL tables: counts, idempotence, and bad inputs that leave nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

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
def test_cli_imports_global_pcodes_twice(db_url: str, shared_dir: Path, engine: Engine) -> None:
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
