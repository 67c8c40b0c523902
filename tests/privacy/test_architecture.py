"""Persons are reached only through ``safepath.privacy.persons``: no module outside ``store`` and
``privacy`` imports the Person model (or the module that defines it)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "safepath"
ALLOWED = ("store", "privacy")
PROTECTED_NAMES = {"Person", "Consent", "BlindIndex"}


def _violations(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if (
                node.module.startswith("safepath.store.models.persons")
                or (node.module.startswith("safepath.store.models") and names & PROTECTED_NAMES)
                or (node.module == "safepath.store.models" and "persons" in names)
            ):
                found.append(f"{path}:{node.lineno}: from {node.module} import {sorted(names)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("safepath.store.models.persons"):
                    found.append(f"{path}:{node.lineno}: import {alias.name}")
    return found


def test_only_store_and_privacy_touch_the_person_model() -> None:
    files = [p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] not in ALLOWED]
    assert len(files) > 10
    violations = [v for p in files for v in _violations(p)]
    assert violations == [], "use safepath.privacy.persons instead:\n" + "\n".join(violations)


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from safepath.store.models.persons import Person\n", encoding="utf-8")
    assert len(_violations(bad)) == 1
