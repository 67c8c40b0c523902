"""Record evaluator: one assessment (+ its area profile row) -> T, V, C, R, phase, explanation.

The model is compiled once (cached per model object) into plain closures; evaluating a record is
then a loop over indicators with no pydantic or dict-building beyond the explanation itself.
Every arithmetic step mirrors ``table.py`` so both evaluators agree bit-for-bit (see ``r6``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from safepath.risk.codes import as_number, canonical, is_missing
from safepath.risk.expressions import Predicate
from safepath.risk.spec import COMPONENTS, LEVELS, Indicator, RiskModel, Score

# (score or None, value to report as unmapped or None)
ScoreFn = Callable[[Any], tuple[int | None, Any]]
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
    if score.map is not None:
        mapping = score.map

        def by_map(v: Any) -> tuple[int | None, Any]:
            key = v if type(v) is str else canonical(v)
            if key in mapping:
                return mapping[key], None
            return None, v

        return by_map
    if score.thresholds is not None:
        bounds = [b for b, _ in score.thresholds]
        values = [s for _, s in score.thresholds]

        def by_thresholds(v: Any) -> tuple[int | None, Any]:
            n = as_number(v)
            if n is None:
                return None, v
            i = bisect_right(bounds, n) - 1
            return (values[i], None) if i >= 0 else (None, v)

        return by_thresholds
    multi = score.multiple
    assert multi is not None
    choices, none, capped = multi.values, frozenset(multi.none), multi.rule == "sum_capped"

    def by_choices(v: Any) -> tuple[int | None, Any]:
        tokens = set((v if type(v) is str else canonical(v)).split(" "))
        chosen = [s for c, s in choices.items() if c in tokens]
        if chosen:
            return (min(5, 1 + sum(s - 1 for s in chosen)) if capped else max(chosen)), None
        if tokens & none:
            return 1, None
        return None, v

    return by_choices


@dataclass(frozen=True)
class _Compiled:
    ind: Indicator
    field: str
    from_area: bool
    applies: Predicate | None
    score: ScoreFn


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
        self.items = [
            _Compiled(
                ind,
                ind.field,
                ind.source == "area",
                None if ind.condition is None else ind.condition.predicate(),
                _score_fn(ind.score),
            )
            for ind in model.indicators
        ]
        self.aggregation = {c: model.components[c].aggregation for c in COMPONENTS}
        self.default = {c: float(model.components[c].default) for c in COMPONENTS}
        self.cuts = list(model.severity.cuts)
        self.levels = model.case_levels.phases
        self.deadlines = model.case_levels.deadlines_hours

    def evaluate(
        self, record: Mapping[str, Any], area: Mapping[str, Any] | None, explain: bool = True
    ) -> Assessment:
        area_row = _EMPTY if area is None else area
        scores: dict[str, list[int]] = {"threat": [], "vulnerability": [], "capacity": []}
        weights: dict[str, list[float]] = {"threat": [], "vulnerability": [], "capacity": []}
        answered: list[_Compiled] = []
        unanswered: list[str] = []
        unmapped: list[dict[str, Any]] = []
        floors: list[tuple[Indicator, int]] = []
        for it in self.items:
            if it.applies is not None and not it.applies(record, area_row):
                continue
            v = (area_row if it.from_area else record).get(it.field)
            if is_missing(v):
                unanswered.append(it.ind.id)
                continue
            s, bad = it.score(v)
            if s is None:
                unanswered.append(it.ind.id)
                if bad is not None:
                    unmapped.append({"indicator": it.ind.id, "value": _jsonable(bad)})
                continue
            comp = it.ind.component
            scores[comp].append(s)
            weights[comp].append(it.ind.weight)
            answered.append(it)
            fl = it.ind.floor
            if fl is not None and s >= fl.min_score:
                floors.append((it.ind, s))
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
                answered, scores, weights, values, unanswered, unmapped, floors, from_risk
            )
        return result

    def _explain(
        self,
        answered: list[_Compiled],
        scores: dict[str, list[int]],
        weights: dict[str, list[float]],
        values: dict[str, float],
        unanswered: list[str],
        unmapped: list[dict[str, Any]],
        floors: list[tuple[Indicator, int]],
        phase_from_risk: int,
    ) -> dict[str, Any]:
        by_comp: dict[str, list[_Compiled]] = {c: [] for c in COMPONENTS}
        for it in answered:
            by_comp[it.ind.component].append(it)
        rows: list[dict[str, Any]] = []
        components: dict[str, Any] = {}
        for comp in COMPONENTS:
            how = self.aggregation[comp]
            sc, ws = scores[comp], weights[comp]
            shares = contributions(how, sc, ws) if sc else []
            for it, s, w, share in zip(by_comp[comp], sc, ws, shares, strict=True):
                ind = it.ind
                rows.append(
                    {
                        "id": ind.id,
                        "label": ind.label,
                        "level": ind.level,
                        "component": comp,
                        "score": s,
                        "weight": w,
                        "contribution": r6(share),
                        "gpc_risks": ind.gpc_risks,
                        "rights": ind.rights,
                    }
                )
            components[comp] = {
                "value": r6(values[comp]),
                "aggregation": how,
                "answered": len(sc),
                "defaulted": not sc,
            }
        levels: dict[str, Any] = {}
        for level in LEVELS:
            per: dict[str, Any] = {}
            for comp in COMPONENTS:
                mine = [
                    (r["score"], r["weight"], r)
                    for r in rows
                    if r["level"] == level and r["component"] == comp
                ]
                if mine:
                    sc = [m[0] for m in mine]
                    ws = [m[1] for m in mine]
                    per[comp] = {
                        "value": r6(aggregate(self.aggregation[comp], sc, ws)),
                        "indicators": [
                            {k: m[2][k] for k in ("id", "score", "weight", "contribution")}
                            for m in mine
                        ],
                    }
            if per:
                levels[level] = per
        tv = sorted(
            (r for r in rows if r["component"] != "capacity" and r["score"] >= 3),
            key=lambda r: (-r["score"], -r["contribution"]),
        )[:DRIVERS_TV]
        cap = sorted(
            (r for r in rows if r["component"] == "capacity" and r["score"] <= 2),
            key=lambda r: r["score"],
        )[:DRIVERS_C]
        return {
            "model": {"id": self.model.id, "version": self.model.version},
            "components": components,
            "levels": levels,
            "indicators": rows,
            "drivers": [
                {
                    "id": r["id"],
                    "label": r["label"],
                    "component": r["component"],
                    "score": r["score"],
                }
                for r in (*tv, *cap)
            ],
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


def compile_model(model: RiskModel) -> CompiledModel:
    """The compiled form of ``model``, built once per model object."""
    compiled = model._compiled
    if not isinstance(compiled, CompiledModel):
        compiled = model._compiled = CompiledModel(model)
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
