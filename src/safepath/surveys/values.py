"""Export columns converted to their field's type and checked, with Arrow compute.

Integers, decimals, dates, choice names (labels in the export's language mapped back; a label
shared by several choices reported), select_multiple answers (space-joined names, or rebuilt from
one-hot columns), and the constraints ``safepath.surveys.xpath`` evaluates. Each problem names
its table, row, column and value (personal values withheld); a value that cannot be stored as the
form says marks its row to be left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from safepath.errors import Problem
from safepath.surveys import xpath
from safepath.surveys.headers import Column, HeaderMap
from safepath.surveys.xlsform import FormDefinition, FormField

PROBLEM_LIMIT = 10_000
_INT_TEXT = r"^\s*[+-]?\d+(\.0*)?\s*$"
NUM_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}"


@dataclass
class Problems:
    """Cell problems of one import, reported together (the first ``PROBLEM_LIMIT`` kept)."""

    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < PROBLEM_LIMIT:
            self.items.append(problem)


# --- converting columns ------------------------------------------------------------------------


def as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
    return arr.cast(pa.string())


def _norm_text(arr: pa.Array) -> pa.Array:
    collapsed = pc.replace_substring_regex(as_text(arr), pattern=r"\s+", replacement=" ")
    return pc.utf8_lower(pc.utf8_trim_whitespace(collapsed))


class Cells:
    """Problems and excluded rows of one table while its columns are converted."""

    def __init__(self, table: str, first_row: int, problems: Problems, personal: set[str]):
        self.table = table
        self.first_row = first_row
        self.problems = problems
        self.bad: set[int] = set()
        self.personal = personal
        self.known_excluded: set[str] = set()  # submissions left out: their rows follow them

    def flag(
        self,
        mask: pa.Array,
        values: pa.Array,
        column: Column,
        message: str,
        offset: int,
        *,
        exclude: bool = True,
    ) -> None:
        """Report every row where ``mask`` is true (``values`` are shown, personal withheld);
        ``exclude``: the value cannot be stored as the form says, so the row is left out (a
        constraint that is not met is reported and the row kept, as data to review)."""
        rows = pc.indices_nonzero(mask.fill_null(False)).to_pylist()
        if not rows:
            return
        shown = values.take(pa.array(rows)).to_pylist()
        withheld = column.name in self.personal
        for r, v in zip(rows, shown, strict=True):
            if exclude:
                self.bad.add(offset + r)
            self.problems.add(
                Problem(
                    message,
                    scope=self.table,
                    row=self.first_row + offset + r,
                    column=column.header,
                    value="(personal data withheld)" if withheld else v,
                )
            )


def _integer(arr: pa.Array, col: Column, cells: Cells, offset: int) -> pa.Array:
    if pa.types.is_integer(arr.type):
        return arr.cast(pa.int64())
    if pa.types.is_floating(arr.type):
        whole = pc.equal(arr, pc.floor(arr))
        cells.flag(pc.invert(whole), arr, col, "not an integer", offset)
        return pc.if_else(whole, arr, None).cast(pa.int64())
    text = as_text(arr)
    good = pc.match_substring_regex(text, _INT_TEXT)
    cells.flag(pc.invert(good), text, col, "not an integer", offset)
    kept = pc.if_else(good, pc.utf8_trim_whitespace(text), None)
    return kept.cast(pa.float64()).cast(pa.int64())


def _decimal(arr: pa.Array, col: Column, cells: Cells, offset: int) -> pa.Array:
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return arr.cast(pa.float64())
    text = as_text(arr)
    good = pc.match_substring_regex(text, NUM_TEXT)
    cells.flag(pc.invert(good), text, col, "not a number", offset)
    return pc.if_else(good, pc.utf8_trim_whitespace(text), None).cast(pa.float64())


def _choice_lookup(
    f: FormField, language: str | None
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Keys an answer may be written as (names, and labels in the export's language, normalised),
    the choice name each stands for, and the labels several choices share (which cannot be read
    back: placeholders such as "To be updated by country")."""
    keys = [c.name for c in f.choices]
    names = list(keys)
    ambiguous: dict[str, list[str]] = {}
    if language:
        by_label: dict[str, list[str]] = {}
        for c in f.choices:
            label = c.labels.get(language)
            if label:
                by_label.setdefault(" ".join(label.split()).casefold(), []).append(c.name)
        for label, choices in by_label.items():
            if len(choices) > 1:
                ambiguous[label] = choices
            elif label not in keys:
                keys.append(label)
                names.append(choices[0])
    return keys, names, ambiguous


def _select_one(
    arr: pa.Array, f: FormField, col: Column, cells: Cells, offset: int, language: str | None
) -> pa.Array:
    text = pc.utf8_trim_whitespace(as_text(arr))
    if not f.choices:
        return text  # choices from a file or an external list: not checked here
    keys, names, ambiguous = _choice_lookup(f, language)
    at = pc.index_in(text, value_set=pa.array(keys, pa.string()))
    if language:
        missing = pc.and_(pc.is_null(at), pc.is_valid(text))
        if pc.any(missing).as_py():
            normalised = _norm_text(text)
            at = pc.coalesce(at, pc.index_in(normalised, value_set=pa.array(keys)))
            for label, choices in ambiguous.items():
                shared = pc.and_(pc.is_null(at), pc.equal(normalised, label))
                cells.flag(
                    shared,
                    text,
                    col,
                    f"this label stands for {len(choices)} choices of {f.list_name!r} "
                    f"({', '.join(choices[:5])}): export with XML names",
                    offset,
                )
                at = pc.if_else(shared, -1, at)
    unknown = pc.and_(pc.is_null(at), pc.is_valid(text))
    cells.flag(unknown, text, col, f"not a choice of {f.list_name!r}", offset)
    at = pc.if_else(pc.less(at, 0), None, at)
    return pc.take(pa.array(names, pa.string()), at)


def _labels_to_names(text: str, f: FormField, language: str) -> str | None:
    """A select_multiple answer written as choice labels (space-joined, as Kobo writes them)
    back to names: the longest label that starts at each position. None if a part is neither."""
    wanted = {c.name: c.name for c in f.choices}
    by_label = sorted(
        (
            (" ".join(c.labels[language].split()).casefold(), c.name)
            for c in f.choices
            if c.labels.get(language)
        ),
        key=lambda pair: -len(pair[0]),
    )
    rest = " ".join(text.split()).casefold()
    out: list[str] = []
    while rest:
        for label, name in by_label:
            if rest == label or rest.startswith(label + " "):
                out.append(name)
                rest = rest[len(label) :].lstrip()
                break
        else:
            token, _, rest = rest.partition(" ")
            original = next((n for n in wanted if n.casefold() == token), None)
            if original is None:
                return None
            out.append(original)
    return " ".join(out)


def select_multiple(
    arr: pa.Array, f: FormField, col: Column, cells: Cells, offset: int, language: str | None
) -> pa.Array:
    text = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(as_text(arr), pattern=r"\s+", replacement=" ")
    )
    if not f.choices:
        return text
    names = pa.array(sorted(f.choice_names), pa.string())
    if language:
        encoded = (
            pc.dictionary_encode(text).combine_chunks()
            if isinstance(text, pa.ChunkedArray)
            else pc.dictionary_encode(text)
        )
        mapped = [
            None
            if v is None
            else (
                v
                if all(t in f.choice_names for t in v.split())
                else _labels_to_names(v, f, language)
            )
            for v in encoded.dictionary.to_pylist()
        ]
        fixed = pa.array(
            [
                m if m is not None else v
                for m, v in zip(mapped, encoded.dictionary.to_pylist(), strict=True)
            ],
            pa.string(),
        )
        text = pc.take(fixed, encoded.indices)
    tokens = pc.split_pattern(text, pattern=" ")
    flat = pc.list_flatten(tokens)
    parents = pc.list_parent_indices(tokens)
    bad_tokens = pc.invert(pc.is_in(flat, value_set=names))
    bad_rows = pc.unique(pc.filter(parents, bad_tokens))
    if len(bad_rows):
        mask = pc.is_in(pa.array(range(len(text)), pa.int64()), value_set=bad_rows.cast(pa.int64()))
        cells.flag(mask, text, col, f"not choice(s) of {f.list_name!r}", offset)
    return text


def from_one_hot(columns: list[tuple[Column, pa.Array]], length: int, f: FormField) -> pa.Array:
    """A select_multiple answer rebuilt from its one-hot ``q/option`` columns (1/true/yes)."""
    order = {c.name: i for i, c in enumerate(f.choices)}
    columns = sorted(columns, key=lambda ca: order.get(str(ca[0].option), len(order)))
    parts: list[pa.Array] = []
    answered = pa.array([False] * length)
    for col, arr in columns:
        text = pc.utf8_lower(as_text(arr))
        on = pc.is_in(text, value_set=pa.array(["1", "true", "yes"]))
        answered = pc.or_(answered, pc.is_valid(text))
        parts.append(pc.if_else(on, f"{col.option} ", ""))
    joined = (
        pc.utf8_rtrim_whitespace(pc.binary_join_element_wise(*parts, ""))
        if parts
        else pa.nulls(length, pa.string())
    )
    return pc.if_else(answered, joined, None)


def convert(
    arr: pa.Array,
    col: Column,
    form: FormDefinition,
    cells: Cells,
    offset: int,
    language: str | None,
) -> pa.Array:
    if col.kind == "unknown":
        return arr if not pa.types.is_timestamp(arr.type) else as_text(arr)
    if col.kind == "geo":
        return _decimal(arr, col, cells, offset)
    if col.kind == "meta":
        return as_text(arr)
    f = form.fields[str(col.field)]
    if f.type == "integer":
        return _integer(arr, col, cells, offset)
    if f.type == "decimal":
        return _decimal(arr, col, cells, offset)
    if f.type == "select_one":
        return _select_one(arr, f, col, cells, offset, language)
    if f.type == "select_multiple":
        return select_multiple(arr, f, col, cells, offset, language)
    text = as_text(arr)
    if f.type == "date":
        bad = pc.and_(pc.is_valid(text), pc.invert(pc.match_substring_regex(text, _DATE_TEXT)))
        cells.flag(bad, text, col, "not a date (YYYY-MM-DD)", offset)
        return pc.utf8_slice_codeunits(text, 0, 10)
    return text


# --- constraints -------------------------------------------------------------------------------


def check_constraints(table: pa.Table, hmap: HeaderMap, form: FormDefinition, cells: Cells) -> None:
    """Evaluate each field's constraint where this package can: on distinct values when it only
    reads ``.``, row by row when it reads other fields of the same table."""
    for col in hmap.by_kind("field"):
        f = form.fields[str(col.field)]
        if not f.constraint or col.name not in table.column_names:
            continue
        try:
            parsed = xpath.check_syntax(f.constraint)
            xpath.translate(f.constraint)
        except (xpath.XPathSyntaxError, xpath.Unsupported):
            continue
        refs = [r for r in dict.fromkeys(parsed.references) if r != f.name]
        if parsed.bare_names or any(r not in table.column_names for r in refs):
            continue  # reads fields of another table: not evaluated here
        message = f.constraint_message.get(form.default_language or "") or next(
            iter(f.constraint_message.values()), f"constraint not met: {f.constraint}"
        )
        values = table.column(col.name)
        if not refs:
            distinct = pc.unique(values).to_pylist()
            failing = [
                v
                for v in distinct
                if v is not None
                and not xpath.evaluate(f.constraint, {f.name: v}, default=True, current=v)
            ]
            if failing:
                mask = pc.is_in(values, value_set=pa.array(failing, values.type))
                cells.flag(whole(mask), values.combine_chunks(), col, message, 0, exclude=False)
            continue
        context_cols = {r: table.column(r).to_pylist() for r in refs}
        own = values.to_pylist()
        bad = [
            v is not None
            and not xpath.evaluate(
                f.constraint,
                {f.name: v, **{r: context_cols[r][i] for r in refs}},
                default=True,
                current=v,
            )
            for i, v in enumerate(own)
        ]
        cells.flag(pa.array(bad), values.combine_chunks(), col, message, 0, exclude=False)


def whole(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
