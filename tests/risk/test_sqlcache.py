"""The compiled-SQL cache on disk: a fresh process with a warm cache runs the stored SQL without
building any expression and gets the same results; a changed model or input schema misses;
corrupt or foreign files are ignored and replaced; files are private and written atomically."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.cli_process import run_cli

from safepath.risk import classify_areas, load_model, score_table
from safepath.risk.sqlcache import DirectorySqlCache

DATA = Path(__file__).parent / "data"
RECORDS = pa.table(
    {
        "rid": [0, 1, 2, 3],
        "pcode": ["A1", "A2", "A3", None],
        "admin1": ["X", "X", "Y", None],
        "sex": ["f", "m", "f", "x"],
        "weight": [1.0, 2.0, 1.5, 0.5],
        "eviction": ["yes", "dont_know", None, "maybe"],
        "violence": ["threats beating", "sexual", "", "none"],
        "age": pa.array([12, 30, None, 10], pa.int64()),
        "alone": ["no", "yes", "yes", "yes"],
        "hh_size": pa.array([6, 9, 1, None], pa.int64()),
        "income": ["work aid", "none", "other", "work aid remittances"],
    }
)

# Run in a fresh interpreter: score, classify and explain with the cache in argv[3]. With
# "forbid", building an Ibis expression raises, so only stored SQL can produce the results.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    import safepath.risk.areas as areas
    import safepath.risk.table as table
    from safepath.risk import classify_areas, load_model, score_table
    from safepath.risk.sqlcache import DirectorySqlCache

    model_path, data, cache_dir, mode = sys.argv[1:5]
    built = []
    real_build, real_areas = table.build, areas.areas_expr

    def build(*args, **kwargs):
        if mode == "forbid":
            raise AssertionError("an expression was built")
        built.append("score")
        return real_build(*args, **kwargs)

    def areas_expr(*args, **kwargs):
        if mode == "forbid":
            raise AssertionError("an expression was built")
        built.append("areas")
        return real_areas(*args, **kwargs)

    table.build, areas.areas_expr = build, areas_expr
    cache = DirectorySqlCache(cache_dir)
    model = load_model(model_path)
    scored = score_table(model, data, sql_cache=cache)
    grouped = classify_areas(model, scored, by=["adm1", "sex"], sql_cache=cache)
    explained = score_table(model, data, explain=True, sql_cache=cache)
    print(json.dumps({
        "scored": scored.order_by("rid").to_pyarrow().to_pylist(),
        "areas": grouped.to_pyarrow().to_pylist(),
        "explained": explained.order_by("rid").to_pyarrow().to_pylist(),
        "built": built,
    }))
    """
)


def fresh(tmp: Path, model: Path, data: Path, cache: Path, mode: str) -> dict[str, Any]:
    script = tmp / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(model), str(data), str(cache), mode],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def round_file(tmp_path: Path) -> Path:
    path = tmp_path / "round.parquet"
    pq.write_table(RECORDS, path)
    return path


def test_a_fresh_process_with_a_warm_cache_builds_nothing(tmp_path: Path, round_file: Path) -> None:
    model = DATA / "small.yaml"
    cache = tmp_path / "cache"
    cold = fresh(tmp_path, model, round_file, cache, "count")
    assert cold["built"] == ["score", "areas", "score"]  # score, classify, explained score
    files = sorted(cache.iterdir())
    assert len(files) == 3
    warm = fresh(tmp_path, model, round_file, cache, "forbid")
    assert warm["built"] == []
    for part in ("scored", "areas", "explained"):
        assert warm[part] == cold[part], part
    # and they are the in-process results without any cache
    m = load_model(model)
    direct = score_table(m, round_file)
    assert warm["scored"] == json.loads(json.dumps(direct.order_by("rid").to_pyarrow().to_pylist()))
    grouped = classify_areas(m, direct, by=["adm1", "sex"]).to_pyarrow().to_pylist()
    assert warm["areas"] == json.loads(json.dumps(grouped))
    assert len({r["phase"] for r in warm["scored"]}) >= 3
    floors = json.loads(warm["explained"][1]["explanation"])["floors"]
    assert floors[0]["indicator"] == "violence"


def test_a_changed_model_or_schema_misses(
    tmp_path: Path, round_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safepath.risk import table

    built: list[int] = []
    real = table.build

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(table, "build", counting)
    cache = DirectorySqlCache(tmp_path / "cache")

    def builds(model: Any, data: Any) -> int:
        table._SQL_CACHE.clear()  # as a fresh process: only the disk cache remains
        before = len(built)
        score_table(model, data, sql_cache=cache).to_pyarrow()
        return len(built) - before

    small = load_model(DATA / "small.yaml")
    assert builds(small, round_file) == 1
    assert builds(small, round_file) == 0
    changed = small.model_copy(
        update={"severity": small.severity.model_copy(update={"cuts": [1.0, 2.0, 3.0, 6.0]})}
    )
    assert builds(changed, round_file) == 1
    other = tmp_path / "other.parquet"  # the same columns, one of another type
    pq.write_table(RECORDS.set_column(7, "age", pa.array([12.0, 30.0, None, 10.0])), other)
    assert builds(small, other) == 1
    assert builds(small, RECORDS.drop(["income"])) == 1  # a column fewer
    assert builds(small, round_file) == 0
    assert len(list(cache.directory.iterdir())) == 4
    table._SQL_CACHE.clear()


def test_corrupt_and_foreign_entries_are_ignored_and_replaced(tmp_path: Path) -> None:
    cache = DirectorySqlCache(tmp_path / "c")
    key = {"kind": "score", "model": ["m", "1", "abc"]}
    value = {"sql": "SELECT 1", "schema": [["x", "int64"]]}
    cache.put(key, value)
    path = cache.path(key)
    assert cache.get(key) == value
    for junk in (b"\xff\xfe not json", b"[1, 2]", b'{"format": 1, "key": {}, "value": {}}'):
        path.write_bytes(junk)
        assert cache.get(key) is None
    # a well-formed entry of another key, copied to this key's file name
    other = {"kind": "score", "model": ["m", "1", "def"]}
    cache.put(other, {"sql": "SELECT 2", "schema": [["x", "int64"]]})
    path.write_bytes(cache.path(other).read_bytes())
    assert cache.get(key) is None
    bad_shape = {"format": 1, "key": key, "value": {"sql": 1, "schema": "x"}}
    path.write_text(json.dumps(bad_shape), encoding="utf-8")
    assert cache.get(key) is None
    cache.put(key, value)  # the next write replaces it
    assert cache.get(key) == value


def test_score_table_rebuilds_over_a_corrupt_entry(tmp_path: Path) -> None:
    from safepath.risk import table

    model = load_model(DATA / "small.yaml")
    cache = DirectorySqlCache(tmp_path / "c")
    table._SQL_CACHE.clear()
    want = score_table(model, RECORDS, sql_cache=cache).order_by("rid").to_pyarrow()
    (entry,) = (tmp_path / "c").iterdir()
    entry.write_text('{"format": 1, "key": {"kind": "score"}, "value": {}}', encoding="utf-8")
    table._SQL_CACHE.clear()  # as a fresh process
    got = score_table(model, RECORDS, sql_cache=cache).order_by("rid").to_pyarrow()
    assert got.equals(want)
    assert json.loads(entry.read_text(encoding="utf-8"))["value"]["sql"].startswith("SELECT")
    table._SQL_CACHE.clear()


def test_files_are_private_and_written_atomically(tmp_path: Path) -> None:
    cache = DirectorySqlCache(tmp_path / "data" / "cache" / "risk-sql")
    old = os.umask(0o022)
    try:
        cache.put({"k": 1}, {"sql": "SELECT 1", "schema": []})
    finally:
        os.umask(old)
    for d in (tmp_path / "data", tmp_path / "data" / "cache", cache.directory):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    (entry,) = cache.directory.iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert not entry.name.startswith(".tmp-")


def test_an_unwritable_cache_still_scores(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory", encoding="utf-8")
    cache = DirectorySqlCache(blocked / "cache")
    model = load_model(DATA / "small.yaml")
    out = score_table(model, RECORDS, sql_cache=cache).order_by("rid").to_pyarrow()
    assert out.equals(score_table(model, RECORDS).order_by("rid").to_pyarrow())


def test_the_cli_keeps_the_sql_in_the_data_directory(tmp_path: Path, round_file: Path) -> None:
    data_dir = tmp_path / "data"
    out = tmp_path / "scored.csv"
    model = str(DATA / "small.yaml")
    done = run_cli(
        ["risk", "score", str(round_file), "-m", model, "-o", str(out)], data_dir=data_dir
    )
    assert done.returncode == 0, done.stderr
    entries = list((data_dir / "cache" / "risk-sql").iterdir())
    assert len(entries) == 1 and json.loads(entries[0].read_text())["key"]["kind"] == "score"
