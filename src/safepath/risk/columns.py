"""One input column seen the way the record evaluator sees a value (``codes.py``), in Ibis.

Each method mirrors a Python rule: ``present`` ~ not ``is_missing``, ``number`` ~ ``as_number``,
``matches`` ~ canonical-string / numeric equality, ``lookup`` ~ a ``score.map``.
Results may be null where the answer is missing; callers decide what null means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from safepath.risk.codes import NUMERIC_RE, as_number, canonical

SCORE_T = "int32"  # wide enough to sum without casts
_MAX_LIST = 256  # longest list literal used for integer-coded lookups


def _list_extract_sig(arr: Any, idx: Any) -> Any:
    """DuckDB list indexing (`arr[i]` = array_extract, measured faster than list_extract), without
    Ibis's negative-index guard (index 0 or past the end -> NULL)."""


_list_extract: Any = ibis.udf.scalar.builtin(
    _list_extract_sig, name="array_extract", signature=((dt.Array(dt.int32), dt.int64), dt.int32)
)
_list_extract_text: Any = ibis.udf.scalar.builtin(
    _list_extract_sig, name="array_extract", signature=((dt.Array(dt.string), dt.int64), dt.string)
)


def _floor_double_sig(x: Any) -> Any:
    """FLOOR of a double as a double (Ibis's ``floor`` casts to an integer)."""


_floor_double: Any = ibis.udf.scalar.builtin(
    _floor_double_sig, name="floor", signature=((dt.float64,), dt.float64)
)


def canonical_number(text: str) -> float | None:
    """The number whose canonical string is ``text`` (so numeric equality = string equality)."""
    n = as_number(text)
    return n if n is not None and canonical(n) == text else None


def score_lit(score: int | None) -> Any:
    return ibis.null(SCORE_T) if score is None else ibis.literal(score, SCORE_T)


@dataclass(frozen=True)
class ColumnView:
    col: Any  # ibis Value
    backend: str  # "duckdb", "sqlite", "postgres", "pyspark", ...

    @property
    def dtype(self) -> Any:
        return self.col.type()

    def _is_text(self) -> bool:
        return bool(self.dtype.is_string())

    def _is_number(self) -> bool:
        return bool(self.dtype.is_numeric()) and not self.dtype.is_boolean()

    def _clean_float(self) -> Any:
        """A float column with NaN read as null (SQLite cannot hold NaN)."""
        if self.dtype.is_floating() and self.backend != "sqlite":
            return self.col.isnan().ifelse(ibis.null("float64"), self.col)
        return self.col

    def present(self) -> Any:
        if self._is_text():
            return self.col.notnull() & (self.col != "")
        if self.dtype.is_floating():
            return self._clean_float().notnull()
        return self.col.notnull()

    def number(self) -> Any | None:
        if self._is_text():
            return self.col.re_search(NUMERIC_RE).ifelse(
                self.col.cast("float64"), ibis.null("float64")
            )
        if self._is_number():
            return self._clean_float().cast("float64")
        return None

    def text_equals(self, text: str) -> Any:
        """Canonical string of the answer == text."""
        if self._is_text():
            return self.col == text
        if self._is_number():
            n = canonical_number(text)
            return ibis.literal(False) if n is None else self.col == ibis.literal(n, "float64")
        if self.dtype.is_boolean() and text in ("true", "false"):
            return self.col == (text == "true")
        return ibis.literal(False)

    def matches(self, values: tuple[str | float, ...]) -> Any:
        """Any literal matches: strings by canonical text, numbers by numeric value."""
        # "" never matches: an empty answer is missing (and then every comparison is false)
        texts = [v for v in values if isinstance(v, str) and v != ""]
        nums = [v for v in values if isinstance(v, float)]
        parts: list[Any] = []
        if texts and self._is_text():
            parts.append(self.col.isin(texts) if len(texts) > 1 else self.col == texts[0])
        else:
            parts.extend(self.text_equals(t) for t in texts)
        if nums:
            num = self.number()
            if num is not None:
                parts.append(num.isin(nums) if len(nums) > 1 else num == nums[0])
        out = parts[0] if parts else ibis.literal(False)
        for p in parts[1:]:
            out = out | p
        return out

    def has_token(self, choice: str) -> Any:
        """Select-multiple: ``choice`` is one of the space-separated answers."""
        if self._is_text():
            padded = (ibis.literal(" ") + self.col) + ibis.literal(" ")
            return padded.contains(f" {choice} ")
        return self.text_equals(choice)

    def lookup(self, mapping: dict[str, int]) -> Any:
        """Score of the answer under ``mapping`` (unlisted -> null), fastest form available."""
        if not mapping:
            return ibis.null(SCORE_T)
        if self._is_text():
            return self.col.cases(
                *((k, ibis.literal(v, SCORE_T)) for k, v in mapping.items()),
                else_=ibis.null(SCORE_T),
            )
        if not self._is_number():
            return ibis.cases(
                *((self.text_equals(k), ibis.literal(v, SCORE_T)) for k, v in mapping.items()),
                else_=ibis.null(SCORE_T),
            )
        numeric = {n: v for k, v in mapping.items() if (n := canonical_number(k)) is not None}
        if not numeric:
            return ibis.null(SCORE_T)
        ints = all(n.is_integer() and 0 <= n < _MAX_LIST for n in numeric)
        if self.backend == "duckdb" and ints:
            # [s0, s1, ...][q + 1]: measured ~1.7x faster than CASE in DuckDB (PERFORMANCE-NOTES).
            table: list[int | None] = [None] * (int(max(numeric)) + 1)
            for n, v in numeric.items():
                table[int(n)] = v
            code = self.col
            if self.dtype.is_floating():
                # only whole numbers in range index the list (cast would fail on NaN / overflow)
                c = self._clean_float()
                inside = ((c >= 0) & (c < _MAX_LIST)).ifelse(c, ibis.null("float64"))
                code = (inside == inside.floor()).ifelse(inside, ibis.null("float64"))
            arr = ibis.literal(table, type=dt.Array(dt.int32))
            # null code -> GREATEST(NULL, 0) = 0 -> NULL; negative -> 0 -> NULL
            return _list_extract(arr, ibis.greatest(code.cast("int64") + 1, 0))
        if self.dtype.is_integer() and all(n.is_integer() for n in numeric):
            return self.col.cases(
                *((int(n), ibis.literal(v, SCORE_T)) for n, v in numeric.items()),
                else_=ibis.null(SCORE_T),
            )
        num = self._clean_float().cast("float64")
        return num.cases(
            *((ibis.literal(n, "float64"), ibis.literal(v, SCORE_T)) for n, v in numeric.items()),
            else_=ibis.null(SCORE_T),
        )
