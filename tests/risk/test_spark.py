"""The table evaluator on PySpark (local mode) agrees with the record evaluator.

Skipped when pyspark (or Java) is unavailable, unless SAFEPATH_REQUIRE_SPARK=1.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safepath.risk import classify_areas, evaluate, load_model, score_table
from safepath.risk.areas import classify_records

pytestmark = [
    pytest.mark.spark,
    # third-party noise from pyspark 4.0 / its pandas bridge, not from our code
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
DATA = Path(__file__).parent / "data"
REQUIRED = os.environ.get("SAFEPATH_REQUIRE_SPARK") == "1"

COLUMNS = (
    "rid long, pcode string, eviction string, violence string, age long, alone string, "
    "hh_size double, income string, admin1 string, sex string, weight double"
)


def _records(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)

    def pick(*options: Any) -> Any:
        return rng.choice(options)

    return [
        {
            "rid": i,
            "pcode": pick("A1", "A2", "A9", None),
            "eviction": pick("yes", "no", "dont_know", "maybe", None, ""),
            "violence": pick("none", "threats", "beating sexual", "threats other", "", None),
            "age": pick(5, 12, 17, 18, 40, None),
            "alone": pick("yes", "no", None),
            "hh_size": pick(0.0, 1.0, 4.0, 5.0, 7.5, 8.0, 12.0, None),
            "income": pick("work", "aid remittances", "none", "work aid remittances", "x", None),
            "admin1": pick("North", "South", None),
            "sex": pick("f", "m", None),
            "weight": pick(0.5, 1.0, 2.0, 0.0),
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def spark_con() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        if REQUIRED:
            raise
        pytest.skip(f"pyspark is not installed: {exc}")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if REQUIRED:
            pytest.fail("SAFEPATH_REQUIRE_SPARK=1 but no Java runtime found")
        pytest.skip("no Java runtime for Spark")
    import ibis

    session = (
        SparkSession.builder.master("local[1]")
        .appName("safepath-risk-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        # a 60-row query: the JVM's client compiler and serial GC halve its CPU (21.6 -> 10.3 s)
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session, ibis.pyspark.connect(session)
    finally:
        session.stop()


def test_spark_agrees_with_record_evaluator(spark_con: Any) -> None:
    session, con = spark_con
    model = load_model(DATA / "small.yaml")
    records = _records(60)
    fields = [c.split()[0] for c in COLUMNS.split(", ")]
    session.createDataFrame(
        [tuple(r[f] for f in fields) for r in records], COLUMNS
    ).createOrReplaceTempView("recs")
    session.createDataFrame(
        [("A1", "some"), ("A2", "good")], "pcode string, services string"
    ).createOrReplaceTempView("area")
    scored = score_table(model, con.table("recs"), con.table("area"))
    got = scored.order_by("rid").to_pyarrow().to_pylist()
    profile = {"A1": {"services": "some"}, "A2": {"services": "good"}}
    assert len(got) == len(records)
    for rec, row in zip(records, got, strict=True):
        a = evaluate(model, rec, profile.get(rec["pcode"] or ""), explain=False)
        want = (a.threat, a.vulnerability, a.capacity, a.risk, a.phase, a.case_level)
        have = (
            row["threat"],
            row["vulnerability"],
            row["capacity"],
            row["risk"],
            row["phase"],
            row["case_level"],
        )
        assert want == have, rec
    # and the area roll-up on Spark equals the Python reference over the same scored rows
    areas = classify_areas(model, scored, ["adm1", "sex"]).to_pyarrow().to_pylist()
    reference = classify_records(model, got, ["adm1", "sex"])
    assert [
        {k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()} for r in areas
    ] == [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()} for r in reference]
