"""The area profile: community and structural data per place, joined to people by P-code.

One concept for every caller (case assessments, ``safepath risk``, the analysis pages): built from
rows, validated once (a ``pcode`` column, unique non-empty codes, the columns a model reads), then
looked up by P-code or handed to the table evaluator. Pure: callers read files; this module only
reads the sample profile shipped beside a model.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from safepath.errors import InputError, Problem
from safepath.hxl import is_hashtag_row
from safepath.risk.spec import RiskModel

KEY = "pcode"


def _number(value: Any) -> Any:
    """Numbers as numbers (an area indicator compares with thresholds); codes stay text."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


@dataclass(frozen=True)
class AreaProfile:
    """Validated area rows keyed by P-code (keys compared as given, trimmed)."""

    columns: tuple[str, ...]
    rows: Mapping[str, Mapping[str, Any]]
    source: str = "area profile"

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, Any]],
        *,
        source: str = "area profile",
        model: RiskModel | None = None,
        first_row: int = 2,
    ) -> AreaProfile:
        """Validate and key the rows. ``first_row`` is the file line of the first data row, so
        problems name the line a person sees in a spreadsheet (header on line 1)."""
        items = list(rows)
        columns: tuple[str, ...] = tuple(items[0]) if items else (KEY,)
        problems: list[Problem] = []
        if KEY not in columns:
            raise InputError(
                f"{source}: no {KEY!r} column (columns: {', '.join(columns)})",
                problems=[Problem(f"missing column {KEY!r}", scope=source)],
            )
        if model is not None:
            missing = [f for f in model.area_fields() if f not in columns]
            if missing:
                problems.extend(
                    Problem(f"column read by model {model.id} is missing", scope=source, column=f)
                    for f in missing
                )
        keyed: dict[str, dict[str, Any]] = {}
        seen = Counter(str(r.get(KEY) or "").strip() for r in items)
        for offset, row in enumerate(items):
            code = str(row.get(KEY) or "").strip()
            line = first_row + offset
            if not code:
                problems.append(Problem("empty P-code", scope=source, row=line, column=KEY))
                continue
            if seen[code] > 1:
                # A duplicate key would multiply the people joined to it: refuse, never guess.
                problems.append(
                    Problem(
                        f"P-code {code!r} appears {seen[code]} times",
                        scope=source,
                        row=line,
                        column=KEY,
                        value=code,
                    )
                )
                continue
            keyed[code] = {k: (code if k == KEY else _number(v)) for k, v in row.items()}
        if problems:
            dupes = sorted(c for c, n in seen.items() if n > 1 and c)
            head = f"duplicate P-codes {', '.join(dupes)}" if dupes else problems[0].message
            raise InputError(f"{source}: {len(problems)} problem(s); {head}", problems=problems)
        return cls(columns=columns, rows=keyed, source=source)

    @classmethod
    def from_csv_text(
        cls, text: str, *, source: str = "area profile", model: RiskModel | None = None
    ) -> AreaProfile:
        rows = list(csv.DictReader(io.StringIO(text)))
        first = 2
        if rows and is_hashtag_row([str(v or "") for v in rows[0].values()]):
            rows, first = rows[1:], 3  # an HXL hashtag row is not an area
        return cls.from_rows(rows, source=source, model=model, first_row=first)

    def lookup(self, pcode: str | None) -> Mapping[str, Any] | None:
        return self.rows.get(pcode.strip()) if pcode else None

    def records(self, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        names = list(columns) if columns is not None else list(self.columns)
        return [{c: row.get(c) for c in names} for row in self.rows.values()]

    def to_arrow(self, model: RiskModel | None = None) -> Any:
        """The table the table evaluator joins (only the key and the model's columns)."""
        import pyarrow as pa

        names = [KEY, *(model.area_fields() if model else [c for c in self.columns if c != KEY])]
        data = self.records(names)
        types = {n: _arrow_type([r[n] for r in data]) for n in names}
        for r in data:  # a column mixing codes and numbers is text throughout
            for n, t in types.items():
                if t == pa.string() and r[n] is not None:
                    r[n] = str(r[n])
        return pa.Table.from_pylist(data, schema=pa.schema(list(types.items())))

    def __len__(self) -> int:
        return len(self.rows)


def _arrow_type(values: list[Any]) -> Any:
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


@lru_cache(maxsize=8)
def shipped_area_profile(model_id: str) -> AreaProfile | None:
    """The sample profile shipped beside a model (``<model>.area-profile.csv``), if any."""
    path = files("safepath.risk.models") / f"{model_id}.area-profile.csv"
    if not path.is_file():
        return None
    return AreaProfile.from_csv_text(
        path.read_text(encoding="utf-8"), source=f"{model_id}.area-profile.csv"
    )
