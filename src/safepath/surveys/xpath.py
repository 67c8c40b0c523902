"""A small subset of ODK XPath for relevance and constraint checks on submitted answers.

Supported: ``${field}``, ``.`` (the current answer), string and number literals, comparisons,
``and``/``or``, arithmetic (``+ - * div mod``) and the functions most forms use (``not``,
``selected``, ``count-selected``, ``regex``, ``starts-with``, ``contains``, ``string-length``,
``if``, ``number``, ``string``, ``true``, ``false``). An expression outside this subset is not
evaluated: ``evaluate`` returns its ``default`` instead of guessing.

Expressions are translated once into Python over ``Value`` objects that carry XPath's comparison
rules (numbers compare numerically, an empty answer is ``''``), then evaluated without builtins.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<name>[A-Za-z_][\w.-]*)\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<func>[A-Za-z][\w-]*)\s*(?=\()
  | (?P<word>[A-Za-z][\w-]*)
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.)
""",
    re.VERBOSE,
)
_WORDS = {"and": " and ", "or": " or ", "div": " / ", "mod": " % "}


class Unsupported(ValueError):
    """The expression uses XPath this subset does not evaluate."""


def _number(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).strip()) if v not in (None, "") else math.nan
    except ValueError:
        return math.nan


class Value:
    """An XPath value: comparisons follow XPath 1.0 (numeric if either side is a number)."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = "" if v is None or (isinstance(v, float) and math.isnan(v)) else v

    def _pair(self, other: Value) -> tuple[Any, Any]:
        a, b = self.v, other.v
        if isinstance(a, bool) or isinstance(b, bool):
            return bool(self), bool(other)
        if isinstance(a, int | float) or isinstance(b, int | float):
            return _number(a), _number(b)
        return str(a), str(b)

    def _cmp(self, other: Value, op: Callable[[Any, Any], bool]) -> Value:
        a, b = self._pair(other)
        if isinstance(a, str) and op not in (_eq, _ne):
            a, b = _number(a), _number(b)
        return Value(bool(op(a, b)))

    def __eq__(self, other: object) -> Value:  # type: ignore[override]
        return self._cmp(other, _eq) if isinstance(other, Value) else NotImplemented

    def __ne__(self, other: object) -> Value:  # type: ignore[override]
        return self._cmp(other, _ne) if isinstance(other, Value) else NotImplemented

    def __lt__(self, other: Value) -> Value:
        return self._cmp(other, lambda a, b: a < b)

    def __le__(self, other: Value) -> Value:
        return self._cmp(other, lambda a, b: a <= b)

    def __gt__(self, other: Value) -> Value:
        return self._cmp(other, lambda a, b: a > b)

    def __ge__(self, other: Value) -> Value:
        return self._cmp(other, lambda a, b: a >= b)

    def __add__(self, other: Value) -> Value:
        return Value(_number(self.v) + _number(other.v))

    def __sub__(self, other: Value) -> Value:
        return Value(_number(self.v) - _number(other.v))

    def __mul__(self, other: Value) -> Value:
        return Value(_number(self.v) * _number(other.v))

    def __truediv__(self, other: Value) -> Value:
        d = _number(other.v)
        return Value(_number(self.v) / d if d else math.nan)

    def __mod__(self, other: Value) -> Value:
        d = _number(other.v)
        return Value(math.fmod(_number(self.v), d) if d else math.nan)

    def __neg__(self) -> Value:
        return Value(-_number(self.v))

    def __bool__(self) -> bool:
        v = self.v
        if isinstance(v, bool):
            return v
        if isinstance(v, int | float):
            return v != 0 and not math.isnan(v)
        return bool(str(v))

    __hash__ = None  # type: ignore[assignment]


def _eq(a: Any, b: Any) -> bool:
    return bool(a == b)


def _ne(a: Any, b: Any) -> bool:
    return bool(a != b)


def _s(v: Value) -> str:
    return str(v.v)


_FUNCS: dict[str, Callable[..., Value]] = {
    "not": lambda a: Value(not a),
    "selected": lambda a, b: Value(_s(b) in _s(a).split()),
    "count-selected": lambda a: Value(len(_s(a).split())),
    "regex": lambda a, p: Value(re.search(_s(p), _s(a)) is not None),
    "starts-with": lambda a, b: Value(_s(a).startswith(_s(b))),
    "contains": lambda a, b: Value(_s(b) in _s(a)),
    "string-length": lambda a: Value(len(_s(a))),
    "if": lambda c, a, b: a if c else b,
    "number": lambda a: Value(_number(a.v)),
    "string": lambda a: Value(_s(a)),
    "true": lambda: Value(True),
    "false": lambda: Value(False),
}


@lru_cache(maxsize=1024)
def translate(expression: str) -> str:
    """The Python source for an XPath expression (raises ``Unsupported``)."""
    out: list[str] = []
    pos = 0
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if not m:
            raise Unsupported(f"cannot read {expression[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        text = m.group(0)
        if kind == "ws":
            continue
        if kind == "ref":
            out.append(f"_v({m.group('name')!r})")
        elif kind == "str":
            out.append(f"_V({text[1:-1]!r})")
        elif kind == "num":
            out.append(f"_V({float(text)!r})")
        elif kind == "func":
            if m.group("func") not in _FUNCS:
                raise Unsupported(f"function {m.group('func')}() is not supported")
            out.append(f"_f[{m.group('func')!r}]")
        elif kind == "word":
            if text not in _WORDS:
                raise Unsupported(f"{text!r} is not supported")
            out.append(_WORDS[text])
        elif kind == "dot":
            out.append("_cur")
        else:
            out.append("==" if text == "=" else text)
    source = "".join(out)
    try:
        compile(source, "<xpath>", "eval")
    except SyntaxError as exc:
        raise Unsupported(f"cannot parse {expression!r}") from exc
    return source


@lru_cache(maxsize=4096)
def _compiled(expression: str) -> CodeType | None:
    """The translated expression, compiled once (a form's expressions are evaluated again for
    every submission); ``None`` when it is outside the supported subset."""
    try:
        return compile(translate(expression), "<xpath>", "eval")
    except Unsupported:
        return None


def evaluate(
    expression: str, answers: Mapping[str, Any], *, default: bool, current: Any = None
) -> bool:
    """Truth of ``expression`` over ``answers`` (``current`` is ``.``); ``default`` when the
    expression is outside the supported subset."""
    code = _compiled(expression)
    if code is None:
        return default
    scope = {
        "_v": lambda name: Value(answers.get(name)),
        "_V": Value,
        "_f": _FUNCS,
        "_cur": Value(current),
    }
    try:
        return bool(eval(code, {"__builtins__": {}}, scope))  # noqa: S307 - translated subset
    except (TypeError, ValueError, re.error, ZeroDivisionError):
        return default
