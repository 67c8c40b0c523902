"""Survey exports into stored rounds: repeats linked, labels and encodings read back to the same
values, problems per cell, --strict, idempotent re-imports, personal data never in clear."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, func, select
from tests.surveys.sample import (
    MAIN_HEADER,
    MAIN_ROWS,
    MEMBER_ROWS,
    NAME,
    PHONE,
    write_form,
    write_kobo_xlsx,
)

from safepath.errors import InputError, SafepathError
from safepath.privacy.actor import SYSTEM
from safepath.rounds import service
from safepath.rounds.forms import add_form
from safepath.settings import get_settings, reset_settings
from safepath.store.db import session_scope
from safepath.store.models import SurveyRound


def _import(path: Path, form: Path, name: str = "r1", **kw: Any) -> service.ImportReport:
    with session_scope() as s:
        row = add_form(s, form, by="test").row
        return service.import_round(s, row, path, round_name=name, actor=SYSTEM, by="test", **kw)


def _main(name: str = "r1") -> list[dict[str, Any]]:
    with session_scope() as s:
        return sorted(service.load_table(s, name).to_pylist(), key=lambda r: r["_key"])


def _csv(rows: list[list[Any]], path: Path, encoding: str = "utf-8", sep: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(
        [["" if v is None else str(v) for v in r] for r in rows]
    )
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return write_form(tmp_path / "sample.xlsx")


def _data_files() -> list[Path]:
    return [p for p in get_settings().data_dir.rglob("*") if p.is_file()]


def test_kobo_xlsx_with_a_repeat(engine: Engine, form: Path, tmp_path: Path) -> None:
    report = _import(write_kobo_xlsx(tmp_path / "export.xlsx"), form)
    assert report.tables == {"main": 3, "members": 4}
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    main = _main()
    assert [r["hh_size"] for r in main] == [2, 1, 3]
    assert main[0]["needs"] == "food water" and main[0]["displaced"] == "yes"
    assert "resp_name" not in main[0]  # personal: not in what analysis reads
    with session_scope() as s:
        members = service.load_table(s, "r1", "members").to_pylist()
        decrypted = service.decrypt_table(s, "r1").to_pylist()
    assert [(m["_submission_key"], m["age"]) for m in members] == [
        ("u-1", 34),
        ("u-1", 9),
        ("u-2", 71),
        ("u-3", 40),
    ]
    assert members[1]["_key"] == "u-1/members[2]"
    assert sorted(r["resp_name"] for r in decrypted)[0] == NAME
    assert report.personal == {
        "main.resp_name": "encrypted",
        "main.phone": "encrypted",
        "main.gps": "encrypted",
        "main.gps_latitude": "encrypted",
    }
    # the data directory holds no plaintext of a personal column (database included)
    for path in _data_files():
        raw = path.read_bytes()
        assert NAME.encode() not in raw and PHONE.encode() not in raw, path
        assert b"36.19 44.01" not in raw, path
    modes = {oct(p.stat().st_mode & 0o777) for p in _data_files() if p.suffix == ".parquet"}
    assert modes == {"0o600"}


def test_reimport_is_idempotent_and_edits_update(
    engine: Engine, form: Path, tmp_path: Path
) -> None:
    export = write_kobo_xlsx(tmp_path / "export.xlsx")
    _import(export, form)
    again = _import(export, form)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    edited = [list(r) for r in MAIN_ROWS]
    edited[1][4], edited[1][1] = 4, "2024-05-03T08:00:00"  # hh_size edited, later end time
    edited.append(
        [
            "2024-05-04T09:00:00",
            "2024-05-04T09:10:00",
            "Noor",
            "",
            1,
            "no",
            "food",
            1,
            0,
            0,
            "",
            "",
            "u-4",
            "2024-05-04T10:00:00",
            4,
        ]
    )
    members = [
        [70, "no_difficulty", 3, "x", 2, "u-2"],
        MEMBER_ROWS[3],
        [5, "cannot_do", 4, "x", 4, "u-4"],
    ]
    later = _import(write_kobo_xlsx(tmp_path / "later.xlsx", edited[1:], members), form)
    assert (later.added, later.updated, later.unchanged) == (1, 1, 1)
    assert later.tables == {"main": 4, "members": 5}  # u-1 kept although not in the export
    assert [r["hh_size"] for r in _main()] == [2, 4, 3, 1]
    with session_scope() as s:
        ages = sorted(m["age"] for m in service.load_table(s, "r1", "members").to_pylist())
        imports = service.show_round(s, "r1").imports
    assert ages == [5, 9, 34, 40, 70]  # u-2's member replaced by its edited row
    assert [i["added"] for i in imports] == [3, 0, 1]


def test_labels_in_any_language_store_the_same_values(
    engine: Engine, form: Path, tmp_path: Path
) -> None:
    names = [MAIN_HEADER, *MAIN_ROWS]
    _import(_csv(names, tmp_path / "names.csv"), form, "names")
    french = {
        "hh/resp_name": "Nom",
        "hh/phone": "Téléphone",
        "hh/hh_size": "Taille du ménage",
        "hh/displaced": "Déplacé ?",
        "hh/needs": "Besoins prioritaires",
        "hh/needs/food": "Besoins prioritaires/Nourriture",
        "hh/needs/water": "Besoins prioritaires/Eau",
        "hh/needs/shelter": "Besoins prioritaires/Abri",
        "hh/gps": "Lieu",
    }
    values = {"yes": "Oui", "no": "Non", "food water": "Nourriture Eau", "shelter": "Abri"}
    rows = [[french.get(h, h) for h in MAIN_HEADER]]
    rows += [[values.get(v, v) if isinstance(v, str) else v for v in r] for r in MAIN_ROWS]
    report = _import(
        _csv(rows, tmp_path / "labels.csv", encoding="utf-8-sig", sep=";"), form, "labels"
    )
    assert report.problems == []
    assert [{k: v for k, v in r.items() if k != "_hash"} for r in _main("labels")] == [
        {k: v for k, v in r.items() if k != "_hash"} for r in _main("names")
    ]


def test_a_mix_of_names_and_labels_is_refused(engine: Engine, form: Path, tmp_path: Path) -> None:
    header = [*MAIN_HEADER]
    header[4], header[5] = "Household size", "Displaced?"  # two labels among names
    with pytest.raises(InputError) as e:
        _import(_csv([header, *MAIN_ROWS], tmp_path / "mix.csv"), form)
    cols = {p.column for p in e.value.problems}
    assert {"Household size", "Displaced?", "hh/resp_name"} <= cols
    assert "mixes XML names" in e.value.message
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(SurveyRound)) == 0


def _bad_export(tmp_path: Path) -> Path:
    rows = [[*MAIN_HEADER, "surprise"], *[[*r, "x"] for r in MAIN_ROWS]]
    rows[2][5] = "maybe"  # a choice outside its list (row 3)
    rows[3][4] = 40  # a constraint not met (row 4)
    path = _csv(rows, tmp_path / "bad.csv")
    # a UTF-8 file (Kärwan) with one byte that is not UTF-8 (in Layla, row 4)
    raw = path.read_bytes().replace(b"Karwan", "Kärwan".encode()).replace(b"Layla", b"La\xffla")
    path.write_bytes(raw)
    return path


def test_problems_name_table_row_and_column(engine: Engine, form: Path, tmp_path: Path) -> None:
    path = _bad_export(tmp_path)
    report = _import(path, form)
    where = {(p.scope, p.row, p.column): p for p in report.problems}
    assert ("main", 1, "surprise") in where  # unknown column
    assert where[("main", 3, "hh/displaced")].value == "maybe"
    assert where[("main", 4, "hh/hh_size")].message == "between 1 and 29"
    bad = where[("main", 4, "hh/resp_name")]
    assert "not utf-8 text" in bad.message and bad.value == "(personal data withheld)"
    # rows whose values cannot be stored are left out; a constraint not met is kept to review
    assert report.tables == {"main": 1}
    with session_scope() as s:
        stored = service.show_round(s, "r1").imports[0]["issues"]
    assert any(i["column"] == "hh/displaced" and i["value"] == "maybe" for i in stored)


def test_strict_stores_nothing(engine: Engine, form: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        _import(_bad_export(tmp_path), form, strict=True)
    assert len(e.value.problems) == 4  # unknown column, choice, constraint, bad byte
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(SurveyRound)) == 0
    assert not [p for p in _data_files() if p.suffix == ".parquet"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings_are_detected(engine: Engine, form: Path, tmp_path: Path, encoding: str) -> None:
    rows = [list(r) for r in MAIN_ROWS]
    rows[1][2] = "Kärwan Azîz"
    sep = "\t" if encoding == "utf-16" else ","
    hxl = [
        "#date",
        "#date",
        "#name",
        "#contact",
        "#affected",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "#meta",
        "",
        "",
    ]
    path = _csv([MAIN_HEADER, hxl, *rows], tmp_path / "enc.csv", encoding=encoding, sep=sep)
    report = _import(path, form)
    assert report.problems == [] and report.tables == {"main": 3}
    with session_scope() as s:
        names = {r["resp_name"] for r in service.decrypt_table(s, "r1").to_pylist()}
    assert "Kärwan Azîz" in names


def test_odk_central_zip(engine: Engine, form: Path, tmp_path: Path) -> None:
    header = [
        "SubmissionDate",
        "start",
        "end",
        "hh-resp_name",
        "hh-phone",
        "hh-hh_size",
        "hh-displaced",
        "hh-needs",
        "hh-gps-Latitude",
        "hh-gps-Longitude",
        "KEY",
    ]
    root = [header]
    for r in MAIN_ROWS:
        root.append([r[13], r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[11], "", f"uuid:{r[12]}"])
    members = [["age", "wg_seeing", "PARENT_KEY", "KEY"]]
    for i, m in enumerate(MEMBER_ROWS):
        members.append([m[0], m[1], f"uuid:{m[5]}", f"uuid:{m[5]}/members[{i}]"])
    path = tmp_path / "odk.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, rows in (("sample_hh.csv", root), ("sample_hh-members.csv", members)):
            z.writestr(name, _csv(rows, tmp_path / name).read_bytes())
    report = _import(path, form)
    assert report.problems == [] and report.tables == {"main": 3, "members": 4}
    with session_scope() as s:
        members_out = service.load_table(s, "r1", "members").to_pylist()
    assert [m["_submission_key"] for m in members_out] == ["u-1", "u-1", "u-2", "u-3"]
    assert [r["needs"] for r in _main()] == ["food water", "shelter", None]


def test_drop_policy(
    engine: Engine, form: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPATH_SURVEY_PERSONAL_DATA", "drop")
    monkeypatch.setenv("SAFEPATH_SURVEY_PERSONAL_COLUMNS", "displaced")
    reset_settings()
    report = _import(write_kobo_xlsx(tmp_path / "export.xlsx"), form)
    assert report.personal["main.displaced"] == "dropped"
    with session_scope() as s:
        path = service.table_path(s, "r1")
    names = pq.read_schema(path).names
    assert not {"resp_name", "phone", "gps", "displaced"} & set(names)
    assert "hh_size" in names


def test_a_failed_transaction_keeps_the_previous_round(
    engine: Engine, form: Path, tmp_path: Path
) -> None:
    _import(write_kobo_xlsx(tmp_path / "a.xlsx"), form)
    before = sorted(str(p) for p in _data_files() if p.suffix == ".parquet")
    edited = [list(r) for r in MAIN_ROWS]
    edited[0][4] = 5
    with pytest.raises(RuntimeError), session_scope() as s:
        row = add_form(s, form, by="t").row
        service.import_round(
            s,
            row,
            write_kobo_xlsx(tmp_path / "b.xlsx", edited),
            round_name="r1",
            actor=SYSTEM,
            by="t",
        )
        raise RuntimeError("killed before the commit")
    assert sorted(str(p) for p in _data_files() if p.suffix == ".parquet") == before
    assert [r["hh_size"] for r in _main()] == [2, 1, 3]


def test_delete_removes_the_files(engine: Engine, form: Path, tmp_path: Path) -> None:
    _import(write_kobo_xlsx(tmp_path / "a.xlsx"), form)
    with session_scope() as s:
        service.delete_round(s, "r1", actor=SYSTEM)
    assert not [p for p in _data_files() if p.suffix == ".parquet"]
    with pytest.raises(SafepathError), session_scope() as s:
        service.show_round(s, "r1")


def test_progress_reports_rows_and_the_total(form: Path, tmp_path: Path) -> None:
    from safepath.surveys.submissions import read_export
    from safepath.surveys.xlsform import load_form

    calls: list[tuple[str, int, int | None]] = []
    read_export(
        load_form(form),
        write_kobo_xlsx(tmp_path / "e.xlsx"),
        progress=lambda t, n, total: calls.append((t, n, total)),
    )
    assert sum(n for _, n, _ in calls) == 7 and {total for *_, total in calls} == {7}
    assert [t for t, *_ in calls] == ["main", "members"]
