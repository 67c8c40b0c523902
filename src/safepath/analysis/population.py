"""Population figures per group, to turn estimated shares into people.

Two sources: a **sample frame** (one row per sampling unit with its population, e.g. the
``sample_frame`` sheet of a REACH MSNA ``loa.xlsx``: admin1, admin2, stratum, pop), summed over
the grouping columns; or a **DTM table** tagged with HXL (IOM DTM's ``#affected+idps`` per
``#adm1+code``, one row per round and displacement reason), for one round, summed per P-code.
Unusable figures are refused naming rows; nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safepath.errors import InputError, Problem
from safepath.hxl import HashtagSpec, find_column, find_columns, hashtag_row_index
from safepath.risk.codes import as_number, canonical, is_missing


@dataclass(frozen=True)
class Population:
    """People per group: ``figures[(v1, v2, ...)]`` for the grouping columns ``keys``."""

    keys: tuple[str, ...]
    figures: dict[tuple[str, ...], float]
    source: str

    @property
    def total(self) -> float:
        return float(sum(self.figures.values()))

    def lookup(self, group: tuple[str, ...]) -> float | None:
        if not group:
            return self.total
        return self.figures.get(group)


def _figure(value: Any) -> float | None:
    if isinstance(value, str):
        value = value.strip()
    n = as_number(value)
    return n if n is not None and math.isfinite(n) and n >= 0 else None


def from_frame(
    frame: pd.DataFrame,
    keys: Sequence[str],
    *,
    pop_column: str = "pop",
    source: str = "sample frame",
    first_row: int = 2,
) -> Population:
    """Sum ``pop_column`` over the frame's rows per combination of ``keys`` (frame columns)."""
    missing = [c for c in [*keys, pop_column] if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source} lacks the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns))}",
            problems=[Problem("missing column", scope=source, column=c) for c in missing],
        )
    problems: list[Problem] = []
    figures: dict[tuple[str, ...], float] = {}
    for i, rec in enumerate(frame[[*keys, pop_column]].to_dict("records")):
        row = first_row + i
        raw = rec[pop_column]
        pop = _figure(raw)
        if pop is None:
            why = "missing population" if is_missing(raw) else "population is not a number ≥ 0"
            problems.append(Problem(why, scope=source, row=row, column=pop_column, value=raw))
            continue
        blank = [k for k in keys if is_missing(rec[k])]
        for k in blank:
            problems.append(Problem("blank grouping value", scope=source, row=row, column=k))
        if blank:
            continue
        key = tuple(canonical(rec[k]) for k in keys)
        figures[key] = figures.get(key, 0.0) + pop
    if problems:
        raise InputError(f"{source}: {len(problems)} unusable row(s)", problems=problems[:20])
    return Population(tuple(keys), figures, source)


def hxl_tags(frame: pd.DataFrame) -> tuple[list[HashtagSpec | None], pd.DataFrame, int]:
    """The HXL hashtags of a table read with its header, the data rows without the hashtag row,
    and the file row of the first data row (the hashtags are the header or the row under it;
    the survey-table reader takes that row out and keeps it in ``attrs["hxl"]``)."""
    known = frame.attrs.get("hxl")
    if known:
        tags = [HashtagSpec.parse(known.get(str(c), "")) for c in frame.columns]
        return tags, frame, int(frame.attrs.get("first_row", 3))
    header = [str(c) for c in frame.columns]
    if hashtag_row_index([header], look_ahead=1) == 0:
        return [HashtagSpec.parse(c) for c in header], frame, 2
    first = ["" if is_missing(v) else str(v) for v in frame.iloc[0]] if len(frame) else []
    if first and hashtag_row_index([first], look_ahead=1) == 0:
        return [HashtagSpec.parse(c) for c in first], frame.iloc[1:].reset_index(drop=True), 3
    raise InputError(
        "the population table has no HXL hashtag row (#adm1+code, #affected+idps, ...)",
        problems=[Problem("no HXL hashtags")],
    )


def _column(tags: list[HashtagSpec | None], tag: str) -> int | None:
    """The column tagged exactly ``tag`` (#affected+idps, not #affected+idps+m), else the only
    one that has ``tag``'s attributes among more."""
    found = find_columns(tags, tag)
    exact = [i for i in found if str(tags[i]) == str(HashtagSpec.parse(tag))]
    if exact:
        return exact[0]
    return found[0] if len(found) == 1 else None


def from_dtm(
    frame: pd.DataFrame,
    *,
    key_tag: str = "#adm1+code",
    figure_tag: str = "#affected+idps",
    round: str | None = None,
    operation: str | None = None,
    source: str = "DTM table",
) -> Population:
    """Sum ``figure_tag`` per ``key_tag`` P-code over one round (and operation) of a DTM table.

    Rows at another admin level (``#adm+level``) are left out, so admin-2 rows are not added
    into their admin-1 total; rows without the P-code (national rows) too."""
    tags, data, first_row = hxl_tags(frame)
    spec = HashtagSpec.parse(key_tag)
    if spec is None:
        raise InputError(f"{key_tag!r} is not an HXL hashtag (like #adm1+code)")
    cols = {}
    for role, tag in (("key", key_tag), ("figure", figure_tag)):
        at = _column(tags, tag)
        if at is None:
            raise InputError(
                f"{source} has no column tagged {tag}",
                problems=[Problem(f"no column tagged {tag}", scope=source)],
            )
        cols[role] = data.columns[at]
    level_at = find_column(tags, "#adm+level")
    round_at = find_column(tags, "#round+code")
    op_at = find_column(tags, "#operation+name")
    level = spec.tag[3:] if spec.tag.startswith("adm") and spec.tag[3:].isdigit() else None
    problems: list[Problem] = []
    rows: list[tuple[str, str, str, float]] = []
    for i, rec in enumerate(data.itertuples(index=False)):
        values = list(rec)
        key = values[data.columns.get_loc(cols["key"])]
        if is_missing(key) or (str(key).strip() == ""):
            continue
        if level is not None and level_at is not None and canonical(values[level_at]) != level:
            continue
        rnd = "" if round_at is None else canonical(values[round_at]).strip()
        op = "" if op_at is None else str(values[op_at]).strip()
        if round is not None and rnd != str(round):
            continue
        if operation is not None and op != operation:
            continue
        raw = values[data.columns.get_loc(cols["figure"])]
        fig = _figure(raw)
        if fig is None:
            why = "missing figure" if is_missing(raw) else "figure is not a number ≥ 0"
            problems.append(
                Problem(why, scope=source, row=first_row + i, column=figure_tag, value=raw)
            )
            continue
        rows.append((str(key).strip(), rnd, op, fig))
    if problems:
        raise InputError(f"{source}: {len(problems)} unusable figure(s)", problems=problems[:20])
    if not rows:
        raise InputError(f"{source}: no {figure_tag} figures for {key_tag} in the chosen round")
    seen: dict[str, set[tuple[str, str]]] = {}
    for key, rnd, op, _ in rows:
        seen.setdefault(key, set()).add((op, rnd))
    mixed = {k: v for k, v in seen.items() if len(v) > 1}
    if mixed:
        key, pairs = next(iter(sorted(mixed.items())))
        listing = "; ".join(f"{op or '-'} round {rnd or '-'}" for op, rnd in sorted(pairs))
        raise InputError(
            f"{source}: {len(mixed)} P-code(s) have figures from several rounds or operations "
            f"(e.g. {key}: {listing}); choose one with --dtm-round (and --dtm-operation)",
            problems=[Problem("several rounds", scope=source, value=k) for k in sorted(mixed)][:20],
        )
    figures: dict[tuple[str, ...], float] = {}
    for key, _, _, fig in rows:
        figures[(key,)] = figures.get((key,), 0.0) + fig
    return Population((key_tag,), figures, source)
