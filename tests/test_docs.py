"""The docs are kept honest: every setting is documented with its real default, no doc names a
``SAFEPATH_`` variable that does not exist, and no doc cites a repository file that is not there."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from safepath.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETTINGS_DOC = ROOT / "docs" / "settings.md"
DOCS = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
# Where test-only variables may be read (never src/).
TEST_CODE = [
    *sorted((ROOT / "tests").rglob("*.py")),
    *sorted((ROOT / "bench").rglob("*.py")),
    ROOT / ".ci" / "run",
]
PREFIX = str(Settings.model_config.get("env_prefix", ""))
NAME = re.compile(r"\bSAFEPATH_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
ROW = re.compile(r"^\| `(SAFEPATH_[A-Z0-9_]+)` \|(.*)\|\s*$")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _sections(text: str) -> dict[str, list[str]]:
    """``## heading`` -> its lines."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
        out.setdefault(current, []).append(line)
    return out


def _rows(lines: list[str]) -> dict[str, list[str]]:
    """Table rows keyed by their variable: the remaining cells."""
    rows: dict[str, list[str]] = {}
    for line in lines:
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = [cell.strip() for cell in m.group(2).split(" | ")]
    return rows


def _doc_tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    sections = _sections(SETTINGS_DOC.read_text(encoding="utf-8"))
    return _rows(sections.get("settings", [])), _rows(sections.get("test and ci variables", []))


def _env_names(model: type[BaseModel]) -> dict[str, str]:
    """Environment variable -> field name."""
    return {f"{PREFIX}{name}".upper(): name for name in model.model_fields}


def _default_cell(value: object) -> str:
    return "unset" if value is None else f"`{value}`"


def test_every_setting_is_documented_with_its_default() -> None:
    settings_rows, _ = _doc_tables()
    fields = _env_names(Settings)
    missing = sorted(set(fields) - set(settings_rows))
    assert not missing, f"docs/settings.md does not document: {', '.join(missing)}"
    unknown = sorted(set(settings_rows) - set(fields))
    assert not unknown, f"docs/settings.md documents settings that do not exist: {unknown}"
    wrong = []
    for env, name in fields.items():
        cells = settings_rows[env]
        assert len(cells) == 3, f"docs/settings.md: the {env} row needs type, default, description"
        want = _default_cell(Settings.model_fields[name].default)
        if cells[1] != want:
            wrong.append(f"{env}: the doc says {cells[1]}, the code {want}")
    assert not wrong, (
        "docs/settings.md defaults differ from src/safepath/settings.py:\n" + "\n".join(wrong)
    )


def _names_in(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for m in NAME.finditer(line):
            yield number, m.group(0)


def test_docs_and_code_name_only_variables_that_exist() -> None:
    _, test_rows = _doc_tables()
    settings = set(_env_names(Settings))
    known = settings | set(test_rows)
    problems = [
        f"{_rel(doc)}:{line}: {name} is neither a setting nor a documented test variable"
        for doc in DOCS
        for line, name in _names_in(doc)
        if name not in known
    ]
    problems += [
        f"{_rel(src)}:{line}: {name} is not a setting"
        for src in sorted((ROOT / "src").rglob("*.py"))
        for line, name in _names_in(src)
        if name not in settings
    ]
    used_by_tests: set[str] = set()
    for code in TEST_CODE:
        for line, name in _names_in(code):
            used_by_tests.add(name)
            if name not in known:
                problems.append(
                    f"{_rel(code)}:{line}: {name} is not a setting; list it under "
                    "'Test and CI variables' in docs/settings.md"
                )
    problems += [
        f"docs/settings.md: test variable {name} is read by no test, benchmark or .ci/run"
        for name in sorted(set(test_rows) - used_by_tests)
    ]
    assert not problems, "\n".join(problems)


# --- paths cited by the docs -------------------------------------------------------------------
# A backticked span is a repository path when it starts with a top-level directory of the
# repository, or when it has a slash and ends in a file extension; a bare ``*.md`` name is a
# sibling document. Commands (spaces), URLs and API routes (a leading slash, ``://``) are not.
TOP_DIRS = ("src/", "tests/", "bench/", "docs/", ".ci/", "../shared")
EXTENSION = re.compile(r"\.(?:py|ya?ml|md|csv|json|toml|txt|cfg|ini|xlsx|parquet|po|html|js|css)$")
SPAN = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)")


def _cited(line: str) -> Iterator[tuple[str, bool]]:
    """(path, is_link) for every repository path cited on a line."""
    for m in SPAN.finditer(line):
        text = m.group(1)
        if text.startswith(("/", "~", "<")) or "://" in text or EXTERNAL.match(text):
            continue
        if text.startswith(TOP_DIRS) or ("/" in text and EXTENSION.search(text)):
            yield text, False
        elif "/" not in text and text.endswith(".md"):
            yield text, False
    for m in LINK.finditer(line):
        target = m.group(1).split("#", 1)[0]
        if target and not EXTERNAL.match(target):
            yield target, True


def _exists(cited: str, doc: Path) -> bool | None:
    """Whether the path exists (``None``: not checkable here, e.g. ../shared is absent)."""
    if cited.startswith("../shared"):
        if not SHARED.is_dir():
            return None
        return (ROOT / cited).exists()
    # A placeholder (<list>.yaml) or glob: the directory before it must exist, and a glob match.
    cut = min((cited.find(c) for c in "<{" if c in cited), default=-1)
    if cut >= 0:
        cited = cited[: cited.rfind("/", 0, cut) + 1] or "."
    bases = [doc.parent, ROOT, ROOT / "src"]
    if "*" in cited:
        return any(any(base.glob(cited)) for base in bases)
    return any((base / cited).exists() for base in bases)


def _doc_lines(doc: Path) -> Iterator[tuple[int, str]]:
    fenced = False
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced  # commands and their output, not citations
            continue
        if not fenced:
            yield number, line


def test_no_doc_cites_a_missing_file() -> None:
    missing = [
        f"{_rel(doc)}:{number}: {'link to' if link else 'path'} {cited!r} does not exist"
        for doc in DOCS
        for number, line in _doc_lines(doc)
        for cited, link in _cited(line)
        if _exists(cited, doc) is False
    ]
    assert not missing, "docs cite files that are not in the repository:\n" + "\n".join(missing)


MODULE = re.compile(r"`(safepath(?:\.[A-Za-z_]\w*)+)")


def _resolves(dotted: str) -> bool:
    """``safepath.a.b.NAME``: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            obj: object = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and not module.startswith(exc.name):
                raise  # the module exists but a dependency of it is missing
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_no_doc_names_a_missing_module() -> None:
    missing = [
        f"{_rel(doc)}:{number}: {m.group(1)} is not an importable module or attribute"
        for doc in DOCS
        for number, line in _doc_lines(doc)
        for m in MODULE.finditer(line)
        if not _resolves(m.group(1))
    ]
    assert not missing, "docs name Python objects that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("line", "cited"),
    [
        (
            "`src/safepath/settings.py`, [cases](cases.md#outcomes)",
            ["src/safepath/settings.py", "cases.md"],
        ),
        (
            "`safepath/risk/models/x.yaml` and `BENCHMARKS.md`",
            ["safepath/risk/models/x.yaml", "BENCHMARKS.md"],
        ),
        ("`src/safepath/framework/data/<list>.yaml`", ["src/safepath/framework/data/<list>.yaml"]),
        ("`GET /api/v1/cases/{code}`, `/api/v1/docs`, `w*s/sum(w)`, `s/n`", []),
        ("`python -m bench.cases`, `postgresql+psycopg://u@h/db`, [x](https://e.org/a.md)", []),
        ("`<data_dir>/keys.json`, `/usr/bin/chromium`, `safepath.cases`, [top](#settings)", []),
    ],
)
def test_what_counts_as_a_cited_path(line: str, cited: list[str]) -> None:
    assert [path for path, _ in _cited(line)] == cited


def test_a_missing_path_is_found(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    assert _exists("src/safepath/settings.py", doc) is True
    assert _exists("src/safepath/framework/data/<list>.yaml", doc) is True
    assert _exists("src/safepath/no_such_module.py", doc) is False
    assert _exists("src/safepath/no_such_dir/<list>.yaml", doc) is False
    assert _resolves("safepath.settings.Settings") and _resolves("safepath.cases")
    assert not _resolves("safepath.settings.NoSuch") and not _resolves("safepath.no_such")
