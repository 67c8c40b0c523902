"""A survey design over an Ibis table: weights, strata, clusters, checked before any estimate.

The design is the one R's ``survey`` package calls
``svydesign(ids=~cluster, strata=~stratum, weights=~weight, nest=TRUE)``: clusters are primary
sampling units (PSUs) nested in strata (a cluster id is only unique within its stratum), drawn
with replacement (no finite-population correction). Without ``cluster`` every record is its own
PSU; without ``strata`` there is one stratum; without ``weight`` every record weighs 1.

Weights are refused, naming rows, when missing, not a number (a decimal comma ``0,5`` included),
infinite or negative. Zero weights are allowed: a record of weight 0 counts in its PSU's stratum
but represents no one, and a group whose weights sum to 0 is reported as "no population".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import ibis

from safepath.errors import InputError, Problem

# R's options(survey.lonely.psu=...): what a stratum with a single PSU contributes to a variance.
LonelyPsu = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU: tuple[LonelyPsu, ...] = ("fail", "remove", "certainty", "adjust", "average")

# Staged column names (prefixed so they cannot collide with survey fields).
STRATUM = "_sp_stratum"
PSU = "_sp_psu"
WEIGHT = "_sp_weight"
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Design:
    """Column names of the design. ``row`` names a column holding each record's source row
    number (the CLI adds it), so that errors can name rows; ``source`` names the input."""

    weight: str | None = None
    strata: str | None = None
    cluster: str | None = None
    lonely_psu: LonelyPsu = "fail"
    row: str | None = None
    source: str = "table"

    def columns(self) -> list[str]:
        return [c for c in (self.weight, self.strata, self.cluster) if c]


def number(col: Any) -> Any:
    """A column as float64: text is trimmed and read as a number (null when it is not one)."""
    if col.type().is_string():
        return col.strip().try_cast("float64")
    if col.type().is_boolean():
        return ibis.null("float64")
    return col.cast("float64")


def _text(col: Any) -> Any:
    return col if col.type().is_string() else col.cast("string")


def problems_at(t: Any, bad: Any, column: str, design: Design, why: Any) -> list[Problem]:
    """The first rows where ``bad`` holds, as problems naming row, column, value and reason."""
    shown = t.filter(bad).select(
        _row=t[design.row] if design.row else ibis.null("int64"),
        _value=_text(t[column]),
        _why=why,
    )
    if design.row:
        shown = shown.order_by("_row")
    rows = shown.limit(MAX_PROBLEMS).to_pyarrow().to_pylist()
    return [
        Problem(
            str(r["_why"]),
            scope=design.source,
            row=int(r["_row"]) if r["_row"] is not None else None,
            column=column,
            value=r["_value"],
        )
        for r in rows
    ]


def check(t: Any, design: Design) -> None:
    """InputError naming rows when a weight is unusable or a stratum or cluster is blank."""
    missing = [c for c in [*design.columns(), design.row] if c and c not in t.columns]
    if missing:
        raise InputError(
            f"{design.source} lacks the design column(s) {', '.join(missing)}",
            problems=[Problem("missing column", scope=design.source, column=c) for c in missing],
        )
    # Every test counted in one query (one scan and one compilation, not one per column): the
    # rows are looked up only for a test that failed.
    tests: list[tuple[str, str, Any, Any]] = []  # (column, what is counted, bad, why)
    if design.weight:
        raw = t[design.weight]
        num = number(raw)
        blank = raw.isnull() | (_text(raw).strip() == "")
        why = ibis.cases(
            (blank, "missing weight"),
            (num.isnull(), "weight is not a number (write decimals with a point: 0.5)"),
            (num.isnan(), "weight is not a number"),
            (num.isinf(), "infinite weight"),
            (num < 0, "negative weight"),
            else_=ibis.null("string"),
        )
        tests.append((design.weight, "unusable weight(s)", why.notnull(), why))
    for role, column in (("stratum", design.strata), ("cluster", design.cluster)):
        if column:
            raw = t[column]
            bad = raw.isnull() | (_text(raw).strip() == "")
            tests.append((column, f"blank {role}(s)", bad, ibis.literal(f"blank {role}")))
    if not tests:
        return
    found = (
        t.aggregate(**{f"n{i}": t.count(where=test[2]) for i, test in enumerate(tests)})
        .to_pyarrow()
        .to_pylist()[0]
    )
    problems: list[Problem] = []
    counts: list[str] = []
    for i, (column, what, bad, why) in enumerate(tests):
        n_bad = int(found[f"n{i}"] or 0)
        if n_bad:
            problems += problems_at(t, bad, column, design, why)
            counts.append(f"{n_bad} {what} in {column!r}")
    if problems:
        raise InputError(f"{design.source}: {'; '.join(counts)}", problems=problems)


def staged(t: Any, design: Design, keep: dict[str, Any]) -> Any:
    """``t`` with the design as standard columns (stratum, PSU, weight) plus ``keep``.

    The PSU is the stratum and cluster together (nest=TRUE); without a cluster, the record."""
    stratum = _text(t[design.strata]) if design.strata else ibis.literal("(all)")
    if design.cluster:
        psu = _text(t[design.cluster])
    else:
        psu = ibis.row_number().cast("string")
    weight = number(t[design.weight]) if design.weight else ibis.literal(1.0, "float64")
    return t.select(**{STRATUM: stratum, PSU: psu, WEIGHT: weight}, **keep)


def psu_counts(s: Any) -> dict[str, int]:
    """PSUs per stratum over the whole design (every record, whatever its answers or weight)."""
    rows = s.group_by(STRATUM).aggregate(n=s[PSU].nunique()).to_pyarrow().to_pylist()
    return {str(r[STRATUM]): int(r["n"]) for r in rows}
