"""The layer rules of ARCHITECTURE.md, checked on the source: arrows point one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safepath"

# layer -> layers it must never import
FORBIDDEN = {
    "framework": {"risk", "cases", "store", "privacy", "surveys", "api", "web", "cli"},
    "risk": {"cases", "store", "privacy", "api", "web", "cli"},
    "surveys": {"cases", "store", "privacy", "api", "web", "cli"},
    "cases": {"api", "web", "cli"},
    "store": {"cases", "privacy", "api", "web", "cli"},
    "privacy": {"cases", "api", "web", "cli"},
    "api": {"web", "cli", "app"},
    "web": {"api", "cli", "app"},
    "http": {"api", "web", "cli", "app", "cases"},
}


def imported_layers(path: Path) -> set[str]:
    layers: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "safepath" and len(parts) > 1:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"no sources for layer {layer}"
    bad = {
        str(f.relative_to(SRC)): sorted(imported_layers(f) & FORBIDDEN[layer])
        for f in files
        if imported_layers(f) & FORBIDDEN[layer]
    }
    assert not bad, f"{layer} imports layers it must not: {bad}"


def test_the_check_sees_imports(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import safepath.web.render\nfrom safepath.store import db\nimport os\n")
    assert imported_layers(f) == {"web", "store"}
