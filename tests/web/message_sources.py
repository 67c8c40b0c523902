"""Every user-facing message the source can raise, read from the code (not run): the first argument
of each ``raise`` of a ``SafepathError`` subclass (and of ``ValueError`` in input models), of
each ``Problem(...)``, ``problems.add(...)`` and ``problems.raise_if_any(...)``, as a template
with ``{placeholders}`` for its f-string values. A message held in a variable is followed to the
literal assigned to it in the same function."""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "safepath"
# The command line talks to operators in English (its help, its logs): not a page or the API.
SKIPPED = ("cli/",)


@dataclass(frozen=True)
class Found:
    where: str  # path:line
    template: str  # "case {code} is closed"


def shape(template: str) -> str:
    """The template with every placeholder reduced to ``{}``: how two templates are compared."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append("{}")
    return "".join(out)


def _placeholder(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call):
        fn = expr.func
        if isinstance(fn, ast.Name) and fn.id == "len":
            return "n"
        if isinstance(fn, ast.Attribute) and fn.attr == "join":
            return "items"
        return _placeholder(fn)
    if isinstance(expr, ast.Subscript):
        return _placeholder(expr.value)
    return "value"


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def templates_of(node: ast.expr) -> list[str]:
    """The templates an expression can make: a literal, an f-string, their sums; a joined list
    added on is a placeholder, a conditional part gives one template per branch."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        out, seen = [], set[str]()
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(_escape(str(v.value)))
            elif isinstance(v, ast.FormattedValue):
                name = re.sub(r"\W", "_", _placeholder(v.value))
                while name in seen:
                    name += "_2"
                seen.add(name)
                out.append("{" + name + "}")
        return ["".join(out)]
    if isinstance(node, ast.IfExp):
        return templates_of(node.body) + templates_of(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = templates_of(node.left), _part(node.right)
        return [a + b for a in left for b in right]
    return []


def _part(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Call):  # ", ".join(names), str(x): a value put in
        return ["{" + _placeholder(node) + "_added}"]
    return templates_of(node)


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
    errors = {"SafepathError"}
    grew = True
    while grew:
        new = {c for c, bs in bases.items() if bs & errors} - errors
        errors |= new
        grew = bool(new)
    return errors


def _callee(fn: ast.expr) -> str:
    return fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""


def _messages(call: ast.Call, scope: ast.AST) -> list[ast.expr]:
    arg = call.args[0] if call.args else None
    if arg is None:
        return []
    if isinstance(arg, ast.Name):  # a variable: the literals assigned to it in the function
        return [
            n.value
            for n in ast.walk(scope)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in n.targets)
        ]
    if isinstance(arg, ast.IfExp):
        return [arg.body, arg.orelse]
    return [arg]


def _validates_input(rel: str) -> bool:
    """Modules of input models: their validators' ValueErrors become form and API errors."""
    return rel == "inputs.py" or rel.endswith(("/schemas.py", "_schema.py"))


def source_messages() -> list[Found]:
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))}
    errors = _error_classes(trees)
    found: list[Found] = []
    for path, tree in trees.items():
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(SKIPPED):
            continue
        scopes = [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for scope in [tree, *scopes]:
            body = scope.body if isinstance(scope, ast.Module) else [scope]
            for node in (n for b in body for n in ast.walk(b)):
                call = None
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    name = _callee(node.exc.func)
                    if name in errors or (name == "ValueError" and _validates_input(rel)):
                        call = node.exc
                elif isinstance(node, ast.Call) and (
                    _callee(node.func) == "Problem"
                    or (
                        isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("add", "raise_if_any")
                        and _callee(node.func.value) in ("problems", "collector")
                    )
                ):
                    call = node
                if call is None:
                    continue
                for expr in _messages(call, scope):
                    for template in templates_of(expr):
                        if re.search(r"[A-Za-z]{3}", shape(template)):
                            found.append(Found(f"{rel}:{expr.lineno}", template))
    unique = {(f.where, f.template): f for f in found}
    return sorted(unique.values(), key=lambda f: f.where)
