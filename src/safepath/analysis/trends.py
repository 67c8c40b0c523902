"""Rounds and trends: the same model on two rounds, the change per area and group, and early
warning.

Per round and group (overall first): the share of people at phase >= ``phase`` (a design-based
estimate with its standard error, as ``estimates``), people in need (the share times the
group's population when a sample frame gives one, else times the group's sum of weights), and
the area phase under a severity rule (``safepath.risk.severity``, named and cited).

The change between rounds is ``later - earlier``. The rounds are independent samples, so the
change's standard error is ``sqrt(se_a**2 + se_b**2)`` and its Wald interval is
``change -/+ z * se``; a change is **significant** only when that interval excludes 0 (a group
without a standard error in either round is never significant). An **alert** is an area whose
phase rose by at least ``phase_rise`` or whose PiN rose by more than ``pin_rise`` (a fraction of
the earlier PiN); the thresholds come from settings (``SAFEPATH_ANALYSIS_ALERT_*``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from safepath.analysis.design import Design
from safepath.analysis.estimates import estimate, flag
from safepath.analysis.population import Population
from safepath.errors import InputError
from safepath.risk.spec import RiskModel

IN_NEED = "_sp_in_need"
GROUP = "_sp_g_"


@dataclass(frozen=True)
class GroupSummary:
    """One group of one round."""

    group: tuple[str, ...]
    share: float | None
    se: float | None
    n: int
    small_n: bool
    pin: float | None
    pin_basis: str  # "population" (a sample frame) or "weights"
    area_phase: int | None
    phase_reason: str = ""


@dataclass(frozen=True)
class RoundSummary:
    name: str
    by: tuple[str, ...]
    phase: int
    rule: str
    rule_citation: str
    groups: Mapping[tuple[str, ...], GroupSummary] = field(default_factory=dict)


def summarise_round(
    model: RiskModel,
    scored: Any,
    design: Design,
    *,
    name: str,
    by: Sequence[str] = (),
    rule: Any = None,
    phase: int | None = None,
    population: Population | None = None,
    level: float = 0.95,
    small_n: int = 30,
) -> RoundSummary:
    """Share at phase >= ``phase``, PiN and area phase per group of ``by`` (the model's place
    and dimension names, as ``risk areas --by``) in one scored round (an Ibis table)."""
    from safepath.risk.areas import _keys, classify_with_rule
    from safepath.risk.severity import load_rule
    from safepath.risk.table import _backend

    if "phase" not in scored.columns:
        raise InputError(f"{design.source}: no 'phase' column: score the round first")
    rule = rule or load_rule(model)
    phase = phase or model.area.pin_phase
    con = _backend(scored)
    backend = con.name if con is not None else "duckdb"
    keys = {f"{GROUP}{b}": e for b, e in _keys(model, scored, by, backend).items()}
    in_need = scored.phase.cast("int64") >= phase
    t = scored.mutate(**keys, **{IN_NEED: flag(in_need)})
    estimates = estimate(
        t, IN_NEED, design, by=list(keys), kind="mean", level=level, small_n=small_n
    )
    areas = {
        tuple(str(r[b]) for b in by): r
        for r in classify_with_rule(model, scored, by, rule, source=design.source)
    }
    groups: dict[tuple[str, ...], GroupSummary] = {}
    for e in estimates:
        people = population.lookup(e.group) if population is not None else None
        base = people if population is not None else e.weighted_n
        area = areas.get(e.group) if e.group or not by else None
        groups[e.group] = GroupSummary(
            group=e.group,
            share=e.estimate,
            se=e.se,
            n=e.n,
            small_n=e.small_n,
            pin=None if e.estimate is None or base is None else e.estimate * base,
            pin_basis="population" if population is not None else "weights",
            area_phase=None if area is None else area["area_phase"],
            phase_reason="" if area is None else str(area["phase_reason"]),
        )
    return RoundSummary(name, tuple(by), phase, rule.name, rule.citation, groups)


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _get(g: GroupSummary | None, name: str) -> Any:
    return None if g is None else getattr(g, name)


def compare(
    earlier: RoundSummary, later: RoundSummary, *, level: float = 0.95
) -> list[dict[str, Any]]:
    """One row per group present in either round (overall first): both rounds' share, PiN and
    area phase, their changes, the change's interval and whether it is significant."""
    if (earlier.by, earlier.phase, earlier.rule) != (later.by, later.phase, later.rule):
        raise InputError("the two rounds are summarised differently (by, phase or rule)")
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    rows = []
    keys = sorted(set(earlier.groups) | set(later.groups), key=lambda g: (len(g) > 0, g))
    for key in keys:
        a, b = earlier.groups.get(key), later.groups.get(key)
        change = _diff(_get(a, "share"), _get(b, "share"))
        se = None
        if a is not None and b is not None and a.se is not None and b.se is not None:
            se = (a.se**2 + b.se**2) ** 0.5
        low = None if change is None or se is None else change - z * se
        high = None if change is None or se is None else change + z * se
        either = b if b is not None else a
        rows.append(
            {
                "by": list(later.by) if key else [],
                "group": list(key),
                "phase": later.phase,
                "rule": later.rule,
                "rule_citation": later.rule_citation,
                "round_a": earlier.name,
                "round_b": later.name,
                "share_a": _get(a, "share"),
                "share_b": _get(b, "share"),
                "share_change": change,
                "change_se": se,
                "change_low": low,
                "change_high": high,
                "significant": bool(low is not None and high is not None and (low > 0 or high < 0)),
                "pin_a": _get(a, "pin"),
                "pin_b": _get(b, "pin"),
                "pin_change": _diff(_get(a, "pin"), _get(b, "pin")),
                "pin_basis": either.pin_basis if either is not None else "weights",
                "area_phase_a": _get(a, "area_phase"),
                "area_phase_b": _get(b, "area_phase"),
                "phase_change": _diff(_get(a, "area_phase"), _get(b, "area_phase")),
                "phase_reason_b": b.phase_reason if b else "",
                "n_a": a.n if a else 0,
                "n_b": b.n if b else 0,
                "small_n": bool((a is None or a.small_n) or (b is None or b.small_n)),
            }
        )
    return rows


def alerts(
    changes: Sequence[Mapping[str, Any]], *, phase_rise: int = 1, pin_rise: float = 0.2
) -> list[dict[str, Any]]:
    """The groups of ``compare`` whose area phase rose by ``phase_rise`` or more, or whose PiN
    rose by more than ``pin_rise`` of the earlier PiN (a PiN from zero counts as a rise), each
    with the reasons. The overall row is not an area and is left out."""
    out = []
    for row in changes:
        if not row["group"]:
            continue
        reasons = []
        dp = row["phase_change"]
        if dp is not None and dp >= phase_rise:
            reasons.append(
                f"area phase {row['area_phase_a']} -> {row['area_phase_b']} "
                f"(rise of {phase_rise} or more)"
            )
        a, b = row["pin_a"], row["pin_b"]
        if a is not None and b is not None and b > a * (1 + pin_rise) and b > 0:
            rise = "from 0" if a == 0 else f"+{100 * (b - a) / a:.3g}%"
            reasons.append(
                f"PiN {a:.6g} -> {b:.6g} ({rise}, above +{100 * pin_rise:.3g}%"
                + ("; significant" if row["significant"] else "; not significant")
                + ")"
            )
        if reasons:
            out.append({**row, "alert": "; ".join(reasons)})
    return out


@dataclass(frozen=True)
class TrendRequest:
    """What to compare: the design columns (the model's weight by default), the groups (model
    place and dimension names), the phase, the rule, the population and the level."""

    by: tuple[str, ...] = ()
    strata: str | None = None
    cluster: str | None = None
    weight: str | None = None
    lonely_psu: Any = "fail"
    phase: int | None = None
    population: Population | None = None
    level: float = 0.95
    small_n: int = 30
    row: str | None = None  # a column of each record's source row (errors name rows)


def round_trends(
    model: RiskModel,
    rounds: Sequence[tuple[str, Any]],
    request: TrendRequest,
    rule: Any = None,
    *,
    sql_cache: Any = None,
) -> list[dict[str, Any]]:
    """``compare`` of two rounds given as (name, table): raw rounds are scored here (the
    compiled SQL kept in ``sql_cache``, a ``risk.sqlcache`` cache, when given)."""
    from safepath.risk import score_table
    from safepath.risk.severity import load_rule
    from safepath.risk.table import as_table

    if len(rounds) != 2:
        raise InputError(f"compare two rounds, not {len(rounds)}")
    rule = rule or load_rule(model)
    summaries = []
    for name, data in rounds:
        table = as_table(data)
        if "phase" not in table.columns:
            table = score_table(model, table, sql_cache=sql_cache)
        # scored once: the checks and estimates below each read the table again
        table = as_table(table.select(*_used(model, rule, request, table)).to_pyarrow())
        design = Design(
            weight=request.weight or model.weight_field,
            strata=request.strata,
            cluster=request.cluster,
            lonely_psu=request.lonely_psu,
            row=request.row,
            source=name,
        )
        summaries.append(
            summarise_round(
                model,
                table,
                design,
                name=name,
                by=request.by,
                rule=rule,
                phase=request.phase,
                population=request.population,
                level=request.level,
                small_n=request.small_n,
            )
        )
    return compare(summaries[0], summaries[1], level=request.level)


def _used(model: RiskModel, rule: Any, request: TrendRequest, table: Any) -> list[str]:
    """The columns a trend reads: phase, design, groups and the rule's indicators."""
    from safepath.risk.areas import grouping_fields

    by_id = {i.id: i for i in model.indicators}
    names = ["phase", request.weight or model.weight_field, request.strata, request.cluster]
    names += [request.row, *grouping_fields(model, request.by)]
    for ind_id in rule.indicator_ids():
        ind = by_id[ind_id]
        names.append(ind.field)
        if ind.condition is not None:
            names += [n for src, n in ind.condition.fields() if src == "record"]
    return [n for n in dict.fromkeys(names) if n and n in table.columns]
