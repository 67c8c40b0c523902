"""The layer rules of ARCHITECTURE.md, checked on the source: arrows point one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safepath"

# layer -> the layers it may import (ARCHITECTURE.md "Layers"); everything else is forbidden.
# Every package and top-level module under src/safepath must be named here.
_BASE = {"errors", "settings", "inputs", "hxl"}
_DOMAIN = {
    "cases",
    "privacy",
    "surveys",
    "risk",
    "framework",
    "store",
    "places",
    "directory",
    "cells",
} | _BASE
# The accountability packages sit beside cases; the layers above see them as domain too.
_ACCOUNTABILITY = {"feedback", "advocacy", "mainstreaming"}
_UPPER = _DOMAIN | _ACCOUNTABILITY
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "inputs": set(),  # the input shapes every layer shares (pydantic only)
    "settings": {"errors"},
    "cells": set(),
    "hxl": set(),  # HXL hashtags: how every table reader finds the hashtag row
    "framework": {"errors"},
    "risk": {"framework", "errors", "hxl"},  # pure: no IO layers
    "surveys": {"risk", "framework", "cells"} | _BASE,
    "store": _BASE,
    "places": {"store", "framework", "risk"} | _BASE,
    "directory": {"store", "framework"} | _BASE,
    "privacy": {"store", "framework", "cells"} | _BASE,
    "cases": _DOMAIN - {"cases"},
    # stored survey rounds: the catalogue (store), encryption and audit (privacy), over surveys
    # risk: scoring a stored round; analysis: trends between two stored rounds
    "rounds": {"store", "privacy", "surveys", "risk", "analysis"} | _BASE,
    "analysis": {"risk", "places", "errors", "hxl"},  # estimates over Ibis tables: no IO, no store
    # the PAF report: a round (rounds), its estimates (analysis), places, outcomes (cases)
    "report": {"analysis", "rounds", "cases", "places", "privacy", "surveys", "risk"}
    | {"store", "framework", "cells"}
    | _BASE,
    # a complaint revealing a protection risk becomes a case (cases.intake)
    "feedback": {"cases", "privacy", "store", "framework"} | _BASE,
    # an area's page sets its cases (aggregated, cases.access) beside its advocacy
    # and the latest area phase the analysis stored (places.area_phases)
    "advocacy": {"cases", "privacy", "store", "framework", "places"} | _BASE,
    "mainstreaming": {"cases", "privacy", "store", "framework"} | _BASE,  # cases: record codes
    "http": {"privacy", "store"} | _BASE,
    "api": {"http", "rounds", "analysis"} | _UPPER,  # analysis: trends between stored rounds
    "web": {"http", "rounds", "report", "analysis"} | _UPPER,
    "wiring": _UPPER,
    "demo": {"wiring"} | _UPPER,
    "cli": {"wiring", "demo", "analysis", "rounds", "report"} | _UPPER,
    "app": {"api", "web", "http", "wiring", "rounds"} | _UPPER,
}


def _layers_on_disk() -> set[str]:
    names = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    return names


def _sources(layer: str) -> list[Path]:
    path = SRC / layer
    return sorted(path.rglob("*.py")) if path.is_dir() else [SRC / f"{layer}.py"]


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


def test_every_layer_is_named() -> None:
    assert _layers_on_disk() == set(ALLOWED), "name each package of src/safepath in ALLOWED"


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_point_one_way(layer: str) -> None:
    files = _sources(layer)
    assert files and all(f.exists() for f in files), f"no sources for layer {layer}"
    bad = {
        str(f.relative_to(SRC)): sorted(imported_layers(f) - ALLOWED[layer] - {layer})
        for f in files
        if imported_layers(f) - ALLOWED[layer] - {layer}
    }
    assert not bad, f"{layer} imports layers it must not: {bad}"


def test_the_allowed_graph_has_no_cycle() -> None:
    seen: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        assert seen.get(node) != 1, f"cycle: {' -> '.join([*path, node])}"
        if seen.get(node) == 2:
            return
        seen[node] = 1
        for nxt in sorted(ALLOWED[node]):
            visit(nxt, [*path, node])
        seen[node] = 2

    for layer in sorted(ALLOWED):
        visit(layer, [])


def test_the_check_sees_imports(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import safepath.web.render\nfrom safepath.store import db\nimport os\n")
    assert imported_layers(f) == {"web", "store"}
