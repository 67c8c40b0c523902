"""The ``applies_when`` mini-language: parsed once with ``ast``, compiled twice.

Grammar: comparisons (``== != < <= > >=``) between a field and a literal (number or quoted
string), ``field in [...]`` / ``field not in [...]``, ``and``, ``or``, ``not``, parentheses.
A plain name is a record field; ``area.name`` is a field of the area profile.

Semantics shared by both compilations (see docs/risk-model.md):
- a comparison whose field is missing (absent, null, NaN, empty string) is false;
- a string literal matches the answer's canonical string (``1`` for 1 and 1.0);
- a number literal matches / orders the answer's numeric reading (plain decimal strings count);
  ordering comparisons need a number literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from safepath.risk.codes import as_number, canonical, is_missing

if TYPE_CHECKING:
    from safepath.risk.columns import ColumnView

Source = Literal["record", "area"]
Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in"]
Lit = str | float
Predicate = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
Resolver = Callable[[Source, str], "ColumnView | None"]

_OPS: dict[type[ast.cmpop], Op] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_FLIP: dict[Op, Op] = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Cmp:
    source: Source
    field: str
    op: Op
    values: tuple[Lit, ...]


@dataclass(frozen=True)
class BoolNode:
    kind: Literal["and", "or", "not"]
    items: tuple[Node, ...]


Node = Cmp | BoolNode


class _Error(ValueError):
    def __init__(self, text: str, node: ast.AST | None, why: str) -> None:
        col = getattr(node, "col_offset", None)
        at = f" at position {col + 1}" if col is not None else ""
        super().__init__(f"{text!r}: {why}{at}")


def _field(node: ast.expr, text: str) -> tuple[Source, str] | None:
    if isinstance(node, ast.Name):
        return ("record", node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id != "area":
            raise _Error(text, node, f"only area.<field> may be dotted, not {node.value.id!r}")
        return ("area", node.attr)
    return None


def _literal(node: ast.expr, text: str) -> Lit:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal(node.operand, text)
        if isinstance(inner, str):
            raise _Error(text, node, "a sign needs a number")
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, int | float):
            return float(node.value)
    raise _Error(text, node, "expected a number or a quoted string")


def _build(node: ast.expr, text: str) -> Node:
    if isinstance(node, ast.BoolOp):
        kind: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
        return BoolNode(kind, tuple(_build(v, text) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return BoolNode("not", (_build(node.operand, text),))
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise _Error(text, node, "chained comparisons are not allowed; use 'and'")
        op = _OPS.get(type(node.ops[0]))
        if op is None:
            raise _Error(text, node, "unsupported comparison")
        left, right = node.left, node.comparators[0]
        if op in ("in", "not in"):
            fld = _field(left, text)
            if fld is None:
                raise _Error(text, left, "expected a field name before 'in'")
            if not isinstance(right, ast.List | ast.Tuple) or not right.elts:
                raise _Error(text, right, "expected a non-empty list after 'in'")
            return Cmp(fld[0], fld[1], op, tuple(_literal(e, text) for e in right.elts))
        fld = _field(left, text)
        other = right
        if fld is None:
            fld, other, op = _field(right, text), left, _FLIP[op]
            if fld is None:
                raise _Error(text, node, "a comparison needs a field on one side")
        lit = _literal(other, text)
        if op in ("<", "<=", ">", ">=") and isinstance(lit, str):
            raise _Error(text, other, f"'{op}' needs a number, not a string")
        return Cmp(fld[0], fld[1], op, (lit,))
    what = {
        ast.BinOp: "arithmetic",
        ast.Call: "a function call",
        ast.Name: "a bare field name",
        ast.Constant: "a bare literal",
    }.get(type(node), type(node).__name__)
    raise _Error(text, node, f"{what} is not allowed; expected a comparison")


_PATH = re.compile(r"""('[^']*'|"[^"]*")|\b(?:[A-Za-z_][\w-]*/)+([A-Za-z_]\w*)""")


def _xml_names(text: str) -> str:
    """Group-path field names (``consented/resp_age``) as the XML names they end with; quoted
    strings are left alone."""
    return _PATH.sub(lambda m: m.group(1) or m.group(2), text)


@lru_cache(maxsize=4096)
def parse_condition(text: str) -> Condition:
    """Parse ``text``; ValueError names the expression, the problem and its position. A field
    may be named with its group path (``group/field``)."""
    try:
        tree = ast.parse(_xml_names(text.strip()), mode="eval")
    except SyntaxError as exc:
        # offset 0 means "at the end of the input"
        pos = exc.offset if exc.offset else len(text.strip()) + 1
        raise ValueError(f"{text!r}: syntax error ({exc.msg}) at position {pos}") from None
    return Condition(text, _build(tree.body, text))


# --- Python ----------------------------------------------------------------------------------


def _text_match(values: tuple[Lit, ...]) -> Callable[[Any], bool]:
    texts = frozenset(v for v in values if isinstance(v, str))
    nums = frozenset(v for v in values if isinstance(v, float))

    def match(v: Any) -> bool:
        if canonical(v) in texts:
            return True
        return bool(nums) and as_number(v) in nums

    return match


def _cmp_predicate(c: Cmp) -> Predicate:
    field, op = c.field, c.op
    fetch_area = c.source == "area"
    if op in ("<", "<=", ">", ">="):
        bound = float(c.values[0])
        test: Callable[[float], bool] = {
            "<": bound.__gt__,
            "<=": bound.__ge__,
            ">": bound.__lt__,
            ">=": bound.__le__,
        }[op]

        def ordered(rec: Mapping[str, Any], area: Mapping[str, Any]) -> bool:
            n = as_number((area if fetch_area else rec).get(field))
            return n is not None and test(n)

        return ordered
    match = _text_match(c.values)
    negate = op in ("!=", "not in")

    def equal(rec: Mapping[str, Any], area: Mapping[str, Any]) -> bool:
        v = (area if fetch_area else rec).get(field)
        if is_missing(v):
            return False
        return match(v) != negate

    return equal


def _predicate(node: Node) -> Predicate:
    if isinstance(node, Cmp):
        return _cmp_predicate(node)
    parts = [_predicate(n) for n in node.items]
    if node.kind == "not":
        inner = parts[0]
        return lambda r, a: not inner(r, a)
    if node.kind == "and":
        return lambda r, a: all(p(r, a) for p in parts)
    return lambda r, a: any(p(r, a) for p in parts)


# --- Ibis ------------------------------------------------------------------------------------


def _cmp_ibis(c: Cmp, resolve: Resolver) -> Any:
    import ibis

    col = resolve(c.source, c.field)
    if col is None:
        return ibis.literal(False)
    if c.op in ("<", "<=", ">", ">="):
        num = col.number()
        if num is None:
            return ibis.literal(False)
        bound = ibis.literal(float(c.values[0]), "float64")
        expr = {"<": num < bound, "<=": num <= bound, ">": num > bound, ">=": num >= bound}[c.op]
        return expr.fill_null(False)
    hit = col.matches(c.values)
    if c.op in ("!=", "not in"):
        return (col.present() & ~hit.fill_null(False)).fill_null(False)
    return hit.fill_null(False)


def _ibis(node: Node, resolve: Resolver) -> Any:
    if isinstance(node, Cmp):
        return _cmp_ibis(node, resolve)
    parts = [_ibis(n, resolve) for n in node.items]
    if node.kind == "not":
        return ~parts[0]
    out = parts[0]
    for p in parts[1:]:
        out = (out & p) if node.kind == "and" else (out | p)
    return out


@dataclass(frozen=True)
class Condition:
    text: str
    root: Node

    def fields(self) -> list[tuple[Source, str]]:
        out: list[tuple[Source, str]] = []

        def walk(n: Node) -> None:
            if isinstance(n, Cmp):
                out.append((n.source, n.field))
            else:
                for i in n.items:
                    walk(i)

        walk(self.root)
        return list(dict.fromkeys(out))

    def predicate(self) -> Predicate:
        """``(record, area) -> bool`` in plain Python."""
        return _predicate(self.root)

    def to_ibis(self, resolve: Resolver) -> Any:
        """A non-null Ibis boolean; ``resolve`` gives a column view or None when absent."""
        return _ibis(self.root, resolve)
