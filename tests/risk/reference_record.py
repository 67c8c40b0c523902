"""The record evaluator as it was before it was generated per model (commit 579392a), kept
unchanged as the oracle the faster one must match output for output (test_record_reference.py).
Not imported by the package."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from safepath.risk.codes import as_number, canonical
from safepath.risk.expressions import Predicate
from safepath.risk.spec import COMPONENTS, LEVELS, Indicator, RiskModel, Score

UNMAPPED = 0  # a score function's answer for a value it cannot score (scores are 1..5)
ScoreFn = Callable[[Any], int | None]
_EMPTY: Mapping[str, Any] = {}
DRIVERS_TV = 3  # threat/vulnerability indicators with the highest scores (>= 3)
DRIVERS_C = 2  # capacity indicators with the lowest scores (<= 2)


def r6(x: float) -> float:
    """Round half up to 6 decimals in binary floating point, exactly as the SQL does."""
    return math.floor(x * 1000000 + 0.5) / 1000000


def aggregate(how: str, scores: list[int], weights: list[float]) -> float:
    """One component over its answered scores (non-empty), in the SQL's operation order."""
    if how == "max":
        return float(max(scores))
    if how == "mean":
        return sum(scores) / len(scores)
    if how == "weighted_mean":
        num = 0.0
        den = 0.0
        for s, w in zip(scores, weights, strict=True):
            num += w * s
            den += w
        return num / den
    k = (len(scores) + 1) // 2  # top_half_mean: mean of the ceil(n/2) highest
    return sum(sorted(scores, reverse=True)[:k]) / k


def contributions(how: str, scores: list[int], weights: list[float]) -> list[float]:
    """Each score's share of the component value (they add up to it)."""
    n = len(scores)
    if how == "max":
        top = scores.index(max(scores))
        return [float(s) if i == top else 0.0 for i, s in enumerate(scores)]
    if how == "mean":
        return [s / n for s in scores]
    if how == "weighted_mean":
        den = sum(weights)
        return [w * s / den for s, w in zip(scores, weights, strict=True)]
    k = (n + 1) // 2
    chosen = set(sorted(range(n), key=lambda i: -scores[i])[:k])
    return [scores[i] / k if i in chosen else 0.0 for i in range(n)]


def _score_fn(score: Score) -> ScoreFn:
    """``answer -> score``: 1..5, None (a null in the map: unanswered) or UNMAPPED."""
    if score.map is not None:
        mapping = score.map
        get = mapping.get

        def by_map(v: Any) -> int | None:
            tv = type(v)
            return get(v if tv is str else str(v) if tv is int else canonical(v), UNMAPPED)

        return by_map
    if score.thresholds is not None:
        bounds = [b for b, _ in score.thresholds]
        values = [s for _, s in score.thresholds]

        def by_thresholds(v: Any) -> int | None:
            n = as_number(v)
            if n is None:
                return UNMAPPED
            i = bisect_right(bounds, n) - 1
            return values[i] if i >= 0 else UNMAPPED

        return by_thresholds
    multi = score.multiple
    assert multi is not None
    choices, none, capped = multi.values, frozenset(multi.none), multi.rule == "sum_capped"

    def by_choices(v: Any) -> int | None:
        tokens = set((v if type(v) is str else canonical(v)).split(" "))
        chosen = [s for c, s in choices.items() if c in tokens]
        if chosen:
            return min(5, 1 + sum(s - 1 for s in chosen)) if capped else max(chosen)
        return 1 if tokens & none else UNMAPPED

    return by_choices


@dataclass(frozen=True)
class _Compiled:
    ind: Indicator
    field: str
    from_area: bool
    applies: Predicate | None
    score: ScoreFn
    component: str
    weight: float
    floor_min: int  # 6 = no floor
    static: dict[str, Any]  # the explanation's fixed keys for this indicator


def _compiled(ind: Indicator) -> _Compiled:
    return _Compiled(
        ind,
        ind.field,
        ind.source == "area",
        None if ind.condition is None else ind.condition.predicate(),
        _score_fn(ind.score),
        ind.component,
        ind.weight,
        ind.floor.min_score if ind.floor else 6,
        {
            "id": ind.id,
            "label": ind.label,
            "level": ind.level,
            "component": ind.component,
            "gpc_risks": ind.gpc_risks,
            "rights": ind.rights,
        },
    )


@dataclass
class Assessment:
    """The result for one record; ``explanation`` is JSON-serialisable."""

    threat: float
    vulnerability: float
    capacity: float
    risk: float
    phase: int
    case_level: str
    deadline_hours: float | None
    explanation: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "threat": self.threat,
            "vulnerability": self.vulnerability,
            "capacity": self.capacity,
            "risk": self.risk,
            "phase": self.phase,
            "case_level": self.case_level,
            "deadline_hours": self.deadline_hours,
            "explanation": self.explanation,
        }


class CompiledModel:
    """A model turned into closures once; ``evaluate`` runs one record."""

    def __init__(self, model: RiskModel) -> None:
        self.model = model
        self.items = [_compiled(ind) for ind in model.indicators]
        # tuples unpack faster than attribute access in the per-record loop
        # explanation cells: (level, component), in LEVELS x COMPONENTS order
        self.cell_keys = [
            (lv, comp)
            for lv in LEVELS
            for comp in COMPONENTS
            if any(it.ind.level == lv and it.component == comp for it in self.items)
        ]
        cell_of = {key: n for n, key in enumerate(self.cell_keys)}
        self.plan = [
            (
                i,
                it.ind.id,
                it.field,
                it.from_area,
                it.applies,
                it.score,
                it.component,
                it.weight,
                it.floor_min,
                cell_of[(it.ind.level, it.ind.component)],
            )
            for i, it in enumerate(self.items)
        ]
        self.static = {it.ind.id: it.static for it in self.items}
        self.aggregation = {c: model.components[c].aggregation for c in COMPONENTS}
        self.default = {c: float(model.components[c].default) for c in COMPONENTS}
        self.cuts = list(model.severity.cuts)
        self.levels = model.case_levels.phases
        self.deadlines = model.case_levels.deadlines_hours
        self.model_ref = {"id": model.id, "version": model.version}

    def evaluate(
        self, record: Mapping[str, Any], area: Mapping[str, Any] | None, explain: bool = True
    ) -> Assessment:
        area_row = _EMPTY if area is None else area
        scores: dict[str, list[int]] = {"threat": [], "vulnerability": [], "capacity": []}
        weights: dict[str, list[float]] = {"threat": [], "vulnerability": [], "capacity": []}
        # explanation entries per component and per (level, component) cell, filled as we go
        entries: dict[str, list[dict[str, Any]]] = {
            "threat": [],
            "vulnerability": [],
            "capacity": [],
        }
        ncells = len(self.cell_keys) if explain else 0
        cells: list[list[dict[str, Any]]] = [[] for _ in range(ncells)]
        cell_scores: list[list[int]] = [[] for _ in range(ncells)]
        cell_weights: list[list[float]] = [[] for _ in range(ncells)]
        unanswered: list[str] = []
        unmapped: list[dict[str, Any]] = []
        floors: list[tuple[Indicator, int]] = []
        for (
            i,
            ind_id,
            fld,
            from_area,
            applies,
            score_fn,
            comp,
            weight,
            floor_min,
            cell,
        ) in self.plan:
            if applies is not None and not applies(record, area_row):
                continue
            v = (area_row if from_area else record).get(fld)
            # missing: None, "" or NaN (v != v)
            if v is None or v == "" or v != v:
                unanswered.append(ind_id)
                continue
            s = score_fn(v)
            if not s:
                unanswered.append(ind_id)
                if s is not None:
                    unmapped.append({"indicator": ind_id, "value": _jsonable(v)})
                continue
            scores[comp].append(s)
            weights[comp].append(weight)
            if explain:
                entry = {"id": ind_id, "score": s, "weight": weight, "contribution": 0.0}
                entries[comp].append(entry)
                cells[cell].append(entry)
                cell_scores[cell].append(s)
                cell_weights[cell].append(weight)
            if s >= floor_min:
                floors.append((self.items[i].ind, s))
        values: dict[str, float] = {}
        for comp in COMPONENTS:
            sc = scores[comp]
            values[comp] = (
                aggregate(self.aggregation[comp], sc, weights[comp]) if sc else self.default[comp]
            )
        t, v_, c = values["threat"], values["vulnerability"], values["capacity"]
        risk = r6((t + v_) / c)
        phase = bisect_right(self.cuts, risk) + 1
        from_risk = phase
        for ind, _ in floors:
            assert ind.floor is not None
            phase = max(phase, ind.floor.phase)
        level = self.levels[phase]
        result = Assessment(r6(t), r6(v_), r6(c), risk, phase, level, self.deadlines.get(level))
        if explain:
            result.explanation = self._explain(
                entries,
                (cells, cell_scores, cell_weights),
                scores,
                weights,
                values,
                unanswered,
                unmapped,
                floors,
                from_risk,
            )
        return result

    def _explain(
        self,
        entries: dict[str, list[dict[str, Any]]],
        by_cell: tuple[list[list[dict[str, Any]]], list[list[int]], list[list[float]]],
        scores: dict[str, list[int]],
        weights: dict[str, list[float]],
        values: dict[str, float],
        unanswered: list[str],
        unmapped: list[dict[str, Any]],
        floors: list[tuple[Indicator, int]],
        phase_from_risk: int,
    ) -> dict[str, Any]:
        floor = math.floor
        aggregation = self.aggregation
        components: dict[str, Any] = {}
        for comp in COMPONENTS:
            sc = scores[comp]
            how = aggregation[comp]
            components[comp] = {
                "value": r6(values[comp]),
                "aggregation": how,
                "answered": len(sc),
                "defaulted": not sc,
            }
            if sc:
                shares = contributions(how, sc, weights[comp])
                for entry, share in zip(entries[comp], shares, strict=True):
                    entry["contribution"] = floor(share * 1000000 + 0.5) / 1000000  # r6 (hot)
        levels: dict[str, dict[str, Any]] = {}
        for (lv, comp), cell, sc, ws in zip(self.cell_keys, *by_cell, strict=True):
            if cell:
                value = sc[0] if len(sc) == 1 else aggregate(aggregation[comp], sc, ws)
                levels.setdefault(lv, {})[comp] = {"value": r6(value), "indicators": cell}
        # drivers: ties keep component then model order (sorts are stable)
        tv = [e for e in (*entries["threat"], *entries["vulnerability"]) if e["score"] >= 3]
        tv.sort(key=lambda e: (-e["score"], -e["contribution"]))
        cap = [e for e in entries["capacity"] if e["score"] <= 2]
        cap.sort(key=lambda e: e["score"])
        static = self.static
        drivers = [
            {**static[e["id"]], "score": e["score"]} for e in (*tv[:DRIVERS_TV], *cap[:DRIVERS_C])
        ]
        return {
            "model": self.model_ref,
            "components": components,
            "levels": levels,
            "drivers": drivers,
            "unanswered": unanswered,
            "unmapped": unmapped,
            "floors": [
                {
                    "indicator": ind.id,
                    "score": s,
                    "min_score": ind.floor.min_score,
                    "phase": ind.floor.phase,
                }
                for ind, s in floors
                if ind.floor is not None
            ],
            "phase_from_risk": phase_from_risk,
            "defaulted": [c for c in COMPONENTS if not scores[c]],
        }


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, str | int | bool):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return str(v)


_COMPILED: dict[int, CompiledModel] = {}


def compile_model(model: RiskModel) -> CompiledModel:
    """The compiled form of ``model`` (kept here, not on the model: the package's own evaluator
    caches its compiled form there)."""
    compiled = _COMPILED.get(id(model))
    if compiled is None or compiled.model is not model:
        compiled = _COMPILED[id(model)] = CompiledModel(model)
    return compiled


def evaluate(
    model: RiskModel,
    record: Mapping[str, Any],
    area: Mapping[str, Any] | None = None,
    *,
    explain: bool = True,
) -> Assessment:
    """Score one record (and the area profile row of its place, if any)."""
    return compile_model(model).evaluate(record, area, explain)
