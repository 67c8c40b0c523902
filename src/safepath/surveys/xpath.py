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
from dataclasses import dataclass
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


# --- syntax check of any XPath 1.0 expression (form checks) ----------------------------------
# The evaluator above runs a subset; a form may use any XPath its clients run (concat, round,
# indexed-repeat, jr:choice-name...). ``check_syntax`` parses the whole XPath 1.0 grammar (with
# ODK's ``${name}`` references) without evaluating it, so a broken expression is told apart
# from a valid one this module does not evaluate.

_XTOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<op>!=|<=|>=|//|\.\.|=|<|>|\+|-|\*|\(|\)|\[|\]|,|\||/|@|\.|\$)
  | (?P<name>[A-Za-z_][\w.-]*(?::(?:[A-Za-z_][\w.-]*|\*))?)
""",
    re.VERBOSE,
)
_OPERATOR_NAMES = {"and", "or", "div", "mod"}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}


class XPathSyntaxError(ValueError):
    """The expression is not XPath: the message says what was expected where."""


def _xtokens(expression: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(expression):
        m = _XTOKEN.match(expression, pos)
        if not m:
            raise XPathSyntaxError(f"unexpected {expression[pos]!r} at position {pos + 1}")
        kind = str(m.lastgroup)
        if kind == "refname":
            kind = "ref"
        if kind != "ws":
            out.append((kind, m.group("refname") if kind == "ref" else m.group(0), pos + 1))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over XPath 1.0 (section 3.7 of the recommendation)."""

    def __init__(self, expression: str) -> None:
        self.tokens = _xtokens(expression)
        self.i = 0
        self.refs: list[str] = []
        self.bare: list[str] = []  # relative element names (``yes`` where ``'yes'`` was meant)
        self.functions: list[str] = []

    def peek(self, offset: int = 0) -> tuple[str, str, int] | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t is not None and t[0] in ("op", "name") and t[1] in texts

    def take(self) -> tuple[str, str, int]:
        t = self.peek()
        if t is None:
            raise XPathSyntaxError("unexpected end of expression")
        self.i += 1
        return t

    def expect(self, text: str) -> None:
        t = self.peek()
        if t is None or t[1] != text:
            where = f"{t[1]!r} at position {t[2]}" if t else "the end"
            raise XPathSyntaxError(f"expected {text!r}, found {where}")
        self.i += 1

    def parse(self) -> None:
        if not self.tokens:
            raise XPathSyntaxError("empty expression")
        self.expr()
        t = self.peek()
        if t is not None:
            raise XPathSyntaxError(f"unexpected {t[1]!r} at position {t[2]}")

    def expr(self) -> None:
        self.binary(0)

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("=", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    )

    def binary(self, level: int) -> None:
        if level == len(self._LEVELS):
            self.unary()
            return
        self.binary(level + 1)
        while self.at(*self._LEVELS[level]):
            self.take()
            self.binary(level + 1)

    def unary(self) -> None:
        while self.at("-"):
            self.take()
        self.union()

    def union(self) -> None:
        self.path()
        while self.at("|"):
            self.take()
            self.path()

    def path(self) -> None:
        t = self.peek()
        if t is None:
            raise XPathSyntaxError("unexpected end of expression")
        kind, text, _ = t
        nxt = self.peek(1)
        is_call = (
            kind == "name"
            and nxt is not None
            and nxt[1] == "("
            and text not in _NODE_TYPES
            and text not in _OPERATOR_NAMES
        )
        if kind in ("ref", "str", "num") or is_call or text == "(" or text == "$":
            self.filter()
            if self.at("/", "//"):
                self.take()
                self.relative()
            return
        if text in ("/", "//"):
            self.take()
            if text == "/" and not self._starts_step():
                return  # "/" alone is the root
            self.relative()
            return
        self.relative(top=True)

    def _starts_step(self) -> bool:
        t = self.peek()
        return t is not None and (
            (t[0] == "name" and t[1] not in _OPERATOR_NAMES) or t[1] in (".", "..", "@", "*")
        )

    def filter(self) -> None:
        kind, text, pos = self.take()
        if kind == "ref":
            self.refs.append(text)
        elif kind in ("str", "num"):
            pass
        elif text == "(":
            self.expr()
            self.expect(")")
        elif text == "$":
            name = self.take()
            if name[0] != "name":
                raise XPathSyntaxError(f"expected a variable name at position {name[2]}")
        else:
            self.functions.append(text)
            self.expect("(")
            if not self.at(")"):
                self.expr()
                while self.at(","):
                    self.take()
                    self.expr()
            self.expect(")")
        self.predicates()

    def predicates(self) -> None:
        while self.at("["):
            self.take()
            self.expr()
            self.expect("]")

    def relative(self, *, top: bool = False) -> None:
        self.step(top=top)
        while self.at("/", "//"):
            self.take()
            self.step()

    def step(self, *, top: bool = False) -> None:
        t = self.peek()
        if t is None:
            raise XPathSyntaxError("unexpected end of expression")
        kind, text, pos = t
        if text in (".", ".."):
            self.take()
            return
        if text == "@":
            self.take()
            t = self.peek()
            if t is None:
                raise XPathSyntaxError("expected an attribute name at the end")
            kind, text, pos = t
        if text == "*" and kind == "op":
            self.take()
        elif kind == "name" and text not in _OPERATOR_NAMES:
            self.take()
            if self.at("::"):
                self.take()
            if text in _NODE_TYPES and self.at("("):
                self.take()
                self.expect(")")
            elif top:
                self.bare.append(text)
        else:
            raise XPathSyntaxError(f"unexpected {text!r} at position {pos}")
        self.predicates()


@dataclass(frozen=True)
class Parsed:
    references: tuple[str, ...]  # ``${name}`` references, in order
    bare_names: tuple[str, ...]  # relative element names outside quotes
    functions: tuple[str, ...]


def check_syntax(expression: str) -> Parsed:
    """Parse ``expression`` as XPath 1.0 with ``${name}`` references; XPathSyntaxError if it is
    not XPath (the message says where)."""
    parser = _Parser(expression)
    parser.parse()
    return Parsed(tuple(parser.refs), tuple(parser.bare), tuple(parser.functions))
