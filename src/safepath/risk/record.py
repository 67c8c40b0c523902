"""Record evaluator: one assessment (+ its area profile row) -> T, V, C, R, phase, explanation.

The model is compiled once (cached per model object) into a generated Python function; evaluating
a record is then straight-line code with no pydantic, no loop over indicators and no
dict-building beyond the explanation itself. Every arithmetic step mirrors ``table.py`` so both
evaluators agree bit-for-bit (see ``r6``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safepath.risk.codes import as_number, canonical
from safepath.risk.repeats import household_value
from safepath.risk.spec import COMPONENTS, LEVELS, RiskModel, Score

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
    other, listed = multi.else_, frozenset(choices) | frozenset(multi.none) | {""}

    def by_choices(v: Any) -> int | None:
        tokens = set((v if type(v) is str else canonical(v)).split(" "))
        chosen = [s for c, s in choices.items() if c in tokens]
        if other is not None and not tokens <= listed:
            chosen.append(other)  # a choice the model does not list scores ``else``
        if chosen:
            return min(5, 1 + sum(s - 1 for s in chosen)) if capped else max(chosen)
        return 1 if tokens & none else UNMAPPED

    return by_choices


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


# Codes of the generated evaluator's score lookups besides the scores 1..5 (0 = UNMAPPED).
MISSING = -1  # no answer: None, "" or NaN
NULL_SCORE = -2  # an answer the map scores null: unanswered, but not unmapped


def _lookup_table(mapping: Mapping[str, int | None]) -> dict[Any, int]:
    """A score map keyed by the answers themselves, for answers of a type in ``_FAST``: each
    text key, plus the int whose canonical text is that key (so an int answer needs no
    ``canonical`` call), and None and "" as MISSING. Answers of other types (floats, whose NaN
    is missing, bools, ...) go through ``_full_score``."""
    table: dict[Any, int] = {}
    for key, score in mapping.items():
        code = NULL_SCORE if score is None else score
        table[key] = code
        if _INT_TEXT.match(key) and str(int(key)) == key:
            table[int(key)] = code
    table[None] = table[""] = MISSING
    return table


_INT_TEXT = re.compile(r"^-?[0-9]+$")
_FAST = frozenset((str, int, type(None)))  # not bool: canonical(True) is "true", not "1"


def _full_score(score_fn: ScoreFn) -> Callable[[Any], int]:
    """``answer -> code``: MISSING, NULL_SCORE, UNMAPPED or the score, for any answer."""

    def full(v: Any) -> int:
        if v is None or v == "" or v != v:  # missing: None, "" or NaN (v != v)
            return MISSING
        s = score_fn(v)
        return NULL_SCORE if s is None else s

    return full


def _weighted(scores: list[int], weights: list[float]) -> float:
    num = 0.0
    den = 0.0
    for s, w in zip(scores, weights, strict=True):
        num += w * s
        den += w
    return num / den


def _top_half(scores: list[int]) -> float:
    k = (len(scores) + 1) // 2
    return sum(sorted(scores, reverse=True)[:k]) / k


class CompiledModel:
    """A model turned into generated Python once; ``evaluate`` runs one record.

    Two functions are generated per model, one without and one with the explanation. Each
    indicator becomes a few straight lines (read the field, look the score up, count it for its
    component, or note it unanswered): no loop over indicators, no branch on an indicator's
    kind. Aggregations, contributions, the level cells and the driver candidates are written out
    per model in the same way, with what does not depend on the record (labels, ids, weights,
    the drivers' fixed part, the share of a mean's score per count) computed here. Model text
    reaches the generated source only as ``repr`` of validated strings and numbers; the score
    functions, predicates and lookup tables are passed in as values.
    """

    def __init__(self, model: RiskModel) -> None:
        self.model = model
        inds = model.indicators
        self.cell_keys = [
            (lv, comp)
            for lv in LEVELS
            for comp in COMPONENTS
            if any(ind.level == lv and ind.component == comp for ind in inds)
        ]
        # a driver's fixed part, by indicator index
        self.static = tuple(
            {
                "id": ind.id,
                "label": ind.label,
                "level": ind.level,
                "component": ind.component,
                "gpc_risks": ind.gpc_risks,
                "rights": ind.rights,
            }
            for ind in inds
        )
        env: dict[str, Any] = {
            "_FAST": _FAST,
            "_jsonable": _jsonable,
            "_floor": math.floor,
            "_bisect": bisect_right,
            "_weighted": _weighted,
            "_top_half": _top_half,
            "_aggregate": aggregate,
            "_contributions": contributions,
            "FLOATS": tuple(r6(float(score)) for score in range(6)),
            "Assessment": Assessment,
            "CUTS": list(model.severity.cuts),
            "LEVELS": dict(model.case_levels.phases),
            "DEADLINES": dict(model.case_levels.deadlines_hours),
            **_driver_tables(model, self.static),
            "DEFAULTED": [
                [c for n, c in enumerate(COMPONENTS) if bits >> n & 1] for bits in range(8)
            ],
            "MODEL_REF": {"id": model.id, "version": model.version},
            "MEAN_SHARE": [
                [0.0] + [r6(score / n) if n else 0.0 for score in range(1, 6)]
                for n in range(len(inds) + 1)
            ],
        }
        for i, ind in enumerate(inds):
            env[f"S{i}"] = _full_score(_score_fn(ind.score))
            if ind.score.map is not None:
                env[f"L{i}"] = _lookup_table(ind.score.map)
            if ind.condition is not None:
                env[f"P{i}"] = ind.condition.predicate()
            if ind.aggregate is not None:
                env[f"A{i}"] = household_value(ind.aggregate)
        self.source = _generate(model, self.cell_keys, explain=False) + _generate(
            model, self.cell_keys, explain=True
        )
        code = compile(self.source, f"<risk model {model.id} {model.version}>", "exec")
        exec(code, env)  # noqa: S102 - generated above from repr() of validated model values
        self._plain: Callable[[Mapping[str, Any], Mapping[str, Any]], Assessment] = env["plain"]
        self._explained: Callable[[Mapping[str, Any], Mapping[str, Any]], Assessment] = env[
            "explained"
        ]

    def evaluate(
        self, record: Mapping[str, Any], area: Mapping[str, Any] | None, explain: bool = True
    ) -> Assessment:
        run = self._explained if explain else self._plain
        return run(record, _EMPTY if area is None else area)


SHARE_SCALE = 10_000_000  # above any share in millionths (5,000,000 at most)


def _candidates(model: RiskModel) -> tuple[list[int], list[int]]:
    """Indicator indexes of the driver candidates, in the order ties keep: threat then
    vulnerability, and capacity, each in model order."""
    comp = [ind.component for ind in model.indicators]
    tv = [i for c in COMPONENTS[:2] for i, ic in enumerate(comp) if ic == c]
    return tv, [i for i, ic in enumerate(comp) if ic == COMPONENTS[2]]


def _driver_tables(model: RiskModel, static: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The generated code's driver constants: candidate keys and reported drivers."""
    tv, cap = _candidates(model)
    nt = max(len(tv), 1)
    n_inds = len(model.indicators)
    return {
        # a driver as it is reported, per candidate rank and score: copied, never handed out
        "DRIVER_TV": tuple(tuple({**static[i], "score": s} for s in range(6)) for i in tv),
        "DRIVER_C": tuple(tuple({**static[i], "score": s} for s in range(6)) for i in cap),
        # (score * SHARE_SCALE + share in millionths) * nt: of a mean component's entry (by
        # count of answers, then score), a max component's first maximum and its other entries
        "MEAN_KEY": [
            [(s * SHARE_SCALE + (round(r6(s / n) * 1000000) if n else 0)) * nt for s in range(6)]
            for n in range(n_inds + 1)
        ],
        "TOP_KEY": [(s * SHARE_SCALE + s * 1000000) * nt for s in range(6)],
        "SCORE_KEY": [s * SHARE_SCALE * nt for s in range(6)],
    }


def _r6(x: str) -> str:
    return f"_floor({x} * 1000000 + 0.5) / 1000000"


def _generate(model: RiskModel, cell_keys: Sequence[tuple[str, str]], *, explain: bool) -> str:
    """Source of ``plain(record, area_row)`` or ``explained(record, area_row)`` for ``model``.

    One pass over the answers keeps each indicator's score in a local (``a{i}``: the score, or
    MISSING, NULL_SCORE, UNMAPPED, or -1 when its condition does not apply) and a running count,
    total or maximum per component; a ``weighted_mean`` or ``top_half_mean`` component keeps its
    scores in a list. The explanation is then written once per entry with its final
    contribution, cell by cell: no entry is built and then updated, no list is scanned for its
    maximum, and only the few driver candidates are sorted, as ints."""
    inds = model.indicators
    comp_of: dict[str, int] = {c: n for n, c in enumerate(COMPONENTS)}
    how = [model.components[c].aggregation for c in COMPONENTS]
    present = [any(ind.component == comp for ind in inds) for comp in COMPONENTS]
    out = [
        f"def {'explained' if explain else 'plain'}(record, area_row):",
        "    rget = record.get",
        "    aget = area_row.get",
        "    unanswered = []",
        "    floors = []",
    ]
    if explain:
        out.append("    unmapped = []")
    for c in range(3):
        if not present[c]:
            continue
        if how[c] == "max":
            out.append(f"    m{c} = 0" + (f"; n{c} = 0; j{c} = -1" if explain else ""))
        elif how[c] == "mean":
            out.append(f"    n{c} = 0; t{c} = 0")
        else:
            out.append(f"    s{c} = []; w{c} = []")
    for i, ind in enumerate(inds):
        c = comp_of[ind.component]
        a = f"a{i}"
        get = "aget" if ind.source == "area" else "rget"
        score = (
            f"L{i}.get(v, 0) if type(v) in _FAST else S{i}(v)"
            if ind.score.map is not None
            else f"S{i}(v)"
        )
        block = [f"v = {get}({ind.field!r})"]
        if ind.aggregate is not None:  # the record's own repeat rows, when it carries them
            block += [
                f"m = rget({ind.aggregate.table!r})",
                "if type(m) in (list, tuple):",
                f"    v = A{i}(m)",
            ]
        block += [f"{a} = {score}", f"if {a} > 0:"]
        if how[c] == "max":
            block += [f"    if {a} > m{c}:", f"        m{c} = {a}"]
            if explain:  # the first maximum in model order carries the contribution
                block += [f"        j{c} = {i}", f"    n{c} += 1"]
        elif how[c] == "mean":
            block += [f"    n{c} += 1", f"    t{c} += {a}"]
        else:
            if explain:
                block.append(f"    p{i} = len(s{c})")
            block += [f"    s{c}.append({a})", f"    w{c}.append({ind.weight!r})"]
        if ind.floor is not None:
            block += [
                f"    if {a} >= {ind.floor.min_score}:",
                f"        floors.append(({ind.id!r}, {a}, {ind.floor.min_score}, "
                f"{ind.floor.phase}))",
            ]
        block += ["else:", f"    unanswered.append({ind.id!r})"]
        if explain:
            block += [
                f"    if not {a}:",
                f"        unmapped.append({{'indicator': {ind.id!r}, 'value': _jsonable(v)}})",
            ]
        if ind.condition is not None:
            out.append(f"    if P{i}(record, area_row):")
            out += ["        " + b for b in block]
            if explain:
                out += ["    else:", f"        {a} = -1"]
        else:
            out += ["    " + b for b in block]
    for c, comp in enumerate(COMPONENTS):
        default = repr(float(model.components[comp].default))
        if not present[c]:
            out.append(f"    x{c} = {default}")
            continue
        value, answered = {
            "max": (f"float(m{c})", f"m{c}"),
            "mean": (f"t{c} / n{c}", f"n{c}"),
            "weighted_mean": (f"_weighted(s{c}, w{c})", f"s{c}"),
            "top_half_mean": (f"_top_half(s{c})", f"s{c}"),
        }[how[c]]
        out.append(f"    x{c} = {value} if {answered} else {default}")
    out += [
        f"    risk = {_r6('((x0 + x1) / x2)')}",
        "    phase = _bisect(CUTS, risk) + 1",
        "    from_risk = phase",
        "    for f in floors:",
        "        if f[3] > phase:",
        "            phase = f[3]",
        "    level = LEVELS[phase]",
        f"    t6 = {_r6('x0')}",
        f"    v6 = {_r6('x1')}",
        f"    c6 = {_r6('x2')}",
    ]
    if not explain:
        out.append("    return Assessment(t6, v6, c6, risk, phase, level, DEADLINES.get(level))")
        return "\n".join(out) + "\n"
    # each answered score's share of its component value (r6), as an expression per indicator
    share: list[str] = []
    for i, ind in enumerate(inds):
        c = comp_of[ind.component]
        share.append(
            {
                "max": f"(FLOATS[a{i}] if j{c} == {i} else 0.0)",
                "mean": f"h{c}[a{i}]",
            }.get(how[c], f"q{c}[p{i}]")
        )
    for c in range(3):
        if not present[c]:
            continue
        if how[c] == "mean":
            out.append(f"    h{c} = MEAN_SHARE[n{c}]")  # MEAN_SHARE[n][score] == r6(score / n)
        elif how[c] != "max":
            out.append(
                f"    q{c} = [{_r6('x')} for x in _contributions({how[c]!r}, s{c}, w{c})]"
                f" if s{c} else None"
            )
    # the level cells, in LEVELS x COMPONENTS order; entries in model order
    for k, (lv, name) in enumerate(cell_keys):
        c = comp_of[name]
        out.append(f"    k{k} = []")
        out.append(
            {"max": f"    cm{k} = 0", "mean": f"    ct{k} = 0"}.get(
                how[c], f"    ks{k} = []; kw{k} = []"
            )
        )
        for i, ind in enumerate(inds):
            if (ind.level, ind.component) != (lv, name):
                continue
            out += [
                f"    if a{i} > 0:",
                f"        k{k}.append({{'id': {ind.id!r}, 'score': a{i}, 'weight': "
                f"{ind.weight!r}, 'contribution': {share[i]}}})",
            ]
            if how[c] == "max":
                out += [f"        if a{i} > cm{k}:", f"            cm{k} = a{i}"]
            elif how[c] == "mean":
                out.append(f"        ct{k} += a{i}")
            else:
                out += [f"        ks{k}.append(a{i})", f"        kw{k}.append({ind.weight!r})"]
    out.append("    levels = {}")
    for lv in LEVELS:
        cells = [(k, name) for k, (level, name) in enumerate(cell_keys) if level == lv]
        if not cells:
            continue
        out.append(f"    if {' or '.join(f'k{k}' for k, _ in cells)}:")
        out.append("        d = levels[" + repr(lv) + "] = {}")
        for k, name in cells:
            h = how[comp_of[name]]
            if h == "max":
                value = f"FLOATS[cm{k}]"  # r6(float(score)) is the score
            elif h == "mean":
                value = _r6(f"(ct{k} / len(k{k}))")  # one score: r6(s / 1) == r6(s)
            else:
                agg = f"_weighted(ks{k}, kw{k})" if h == "weighted_mean" else f"_top_half(ks{k})"
                value = _r6(f"(ks{k}[0] if len(ks{k}) == 1 else {agg})")
            out += [
                f"        if k{k}:",
                f"            d[{name!r}] = {{'value': {value}, 'indicators': k{k}}}",
            ]
    # drivers: (score, share, indicator) of the candidates in component then model order; the
    # sorts are stable, so ties keep that order (reverse=True keeps it too)
    # drivers: each candidate is one int that sorts as its (score, share, rank) would:
    # score * SHARE_SCALE + share in millionths (shares are r6 values in [0, 5], so this is
    # exact and keeps their order), times the number of candidates, plus a rank that keeps
    # component then model order on ties (the previous sorts were stable)
    tv_inds, cap_inds = _candidates(model)
    nt, nc = max(len(tv_inds), 1), max(len(cap_inds), 1)
    for c in (0, 1):
        if present[c] and how[c] == "mean":
            out.append(f"    hk{c} = MEAN_KEY[n{c}]")
    out.append("    tv = []")
    for r, i in enumerate(tv_inds):
        c = comp_of[inds[i].component]
        tie = nt - 1 - r  # descending sort: the first in order gets the largest tie-breaker
        key = {
            "max": f"(TOP_KEY[a{i}] if j{c} == {i} else SCORE_KEY[a{i}]) + {tie}",
            "mean": f"hk{c}[a{i}] + {tie}",
        }.get(
            how[c],
            f"(a{i} * {SHARE_SCALE} + round(q{c}[p{i}] * 1000000)) * {nt} + {tie}",
        )
        out += [f"    if a{i} >= 3:", f"        tv.append({key})"]
    out += ["    if len(tv) > 1:", "        tv.sort(reverse=True)", "    drivers = []"]
    out += [
        f"    for k in tv[:{DRIVERS_TV}]:",
        f"        drivers.append(DRIVER_TV[{nt - 1} - k % {nt}][k // {nt * SHARE_SCALE}].copy())",
        "    cap = []",
    ]
    for r, i in enumerate(cap_inds):  # scores 1 and 2, ascending; ties in model order
        out += [f"    if 0 < a{i} <= 2:", f"        cap.append(a{i} * {nc} + {r})"]
    out += [
        "    if len(cap) > 1:",
        "        cap.sort()",
        f"    for k in cap[:{DRIVERS_C}]:",
        f"        drivers.append(DRIVER_C[k % {nc}][k // {nc}].copy())",
    ]
    counts = [
        ("0" if not present[c] else f"n{c}" if how[c] in ("max", "mean") else f"len(s{c})")
        for c in range(3)
    ]
    comps = ", ".join(
        f"{comp!r}: {{'value': {'tvc'[c]}6, 'aggregation': {how[c]!r}, "
        f"'answered': {counts[c]}, 'defaulted': not {counts[c]}}}"
        for c, comp in enumerate(COMPONENTS)
    )
    # the defaulted components' names: a copy of one of the eight lists
    defaulted = " | ".join(f"(0 if {counts[c]} else {1 << c})" for c in range(3))
    out += [
        "    explanation = {",
        "        'model': MODEL_REF,",
        f"        'components': {{{comps}}},",
        "        'levels': levels,",
        "        'drivers': drivers,",
        "        'unanswered': unanswered,",
        "        'unmapped': unmapped,",
        "        'floors': [{'indicator': f[0], 'score': f[1], 'min_score': f[2], "
        "'phase': f[3]} for f in floors] if floors else [],",
        "        'phase_from_risk': from_risk,",
        f"        'defaulted': DEFAULTED[{defaulted}][:],",
        "    }",
        "    return Assessment(t6, v6, c6, risk, phase, level, DEADLINES.get(level), explanation)",
    ]
    return "\n".join(out) + "\n"


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, str | int | bool):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return str(v)


_last: tuple[Any, Any] = (None, None)  # (model, compiled): pydantic attribute access is slow


def compile_model(model: RiskModel) -> CompiledModel:
    """The compiled form of ``model``, built once per model object."""
    global _last
    last_model, last = _last
    if last_model is model:
        return last  # type: ignore[no-any-return]
    compiled = model._compiled
    # `model is` check: model_copy() copies private attributes along with the stale closures
    if not isinstance(compiled, CompiledModel) or compiled.model is not model:
        compiled = model._compiled = CompiledModel(model)
    _last = (model, compiled)
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
