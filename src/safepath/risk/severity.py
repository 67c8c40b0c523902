"""Area severity rules as configuration (JIAF-style), named and cited in every output.

A rule set (YAML, ``<model>.severity.yaml`` beside a model, else the generic
``area-severity.yaml``; docs/analysis.md) gives an area its phase from four parts:

1. the **share rule**: the highest phase p such that at least ``share`` (25 % by default, 20 %
   selectable) of the area's weighted population is at phase >= p;
2. **critical indicators**: when at least ``share`` of the population scores ``min_score`` or
   more on one of them, the area is at least at its ``phase``;
3. the **maximum across areas of responsibility** (child protection, GBV, HLP, mine action):
   each AoR's household severity is the highest score of its indicators, classified by the
   share rule; the area takes the highest of these and of the overall phase;
4. the **phase-5 guard**: phase 5 only when the share at phase 5 (overall or in an AoR) reaches
   ``phase5.share`` and, with ``phase5.critical``, a critical indicator of phase 5 is triggered;
   otherwise the area is phase 4.

The decision is one pure function (``decide``) over per-area measures; the measures come from
the table evaluator (one Ibis aggregate) or the record evaluator (plain Python), which agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from safepath.errors import InputError, Problem
from safepath.risk.spec import RiskModel

Share = Annotated[float, Field(gt=0, le=1)]
Phase = Annotated[int, Field(ge=2, le=5)]
ScoreValue = Annotated[int, Field(ge=1, le=5)]
PHASES = (2, 3, 4, 5)
GENERIC = "area-severity.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Critical(_Strict):
    indicator: str
    min_score: ScoreValue = 4
    phase: Phase
    share: Share | None = None  # default: the rule's share


class Phase5(_Strict):
    share: Share = 0.25
    critical: bool = True  # a triggered critical indicator of phase 5 must support it


class AreaOfResponsibility(_Strict):
    label: str
    indicators: Annotated[list[str], Field(min_length=1)]


class SeverityRule(_Strict):
    name: str
    title: str
    citation: str
    share: Share = 0.25
    phase5: Phase5 = Phase5()
    critical: list[Critical] = []
    aors: dict[str, AreaOfResponsibility] = {}

    def indicator_ids(self) -> list[str]:
        ids = [c.indicator for c in self.critical]
        for aor in self.aors.values():
            ids += aor.indicators
        return list(dict.fromkeys(ids))


class _RuleFile(_Strict):
    default: str
    rules: dict[str, dict[str, Any]]


def _parse(text: str, source: str) -> dict[str, SeverityRule]:
    try:
        doc = _RuleFile.model_validate(yaml.safe_load(text))
        rules = {
            name: SeverityRule.model_validate({"name": name, **body})
            for name, body in doc.rules.items()
        }
    except (yaml.YAMLError, ValidationError) as exc:
        raise InputError(
            f"{source}: not a valid severity rule file: {str(exc).splitlines()[0]}",
            problems=[Problem(str(exc), scope=source)],
        ) from exc
    if doc.default not in rules:
        raise InputError(
            f"{source}: default {doc.default!r} is not one of its rules ({', '.join(rules)})",
            problems=[Problem("unknown default rule", scope=source, value=doc.default)],
        )
    return {"": rules[doc.default], **rules}


@lru_cache(maxsize=16)
def _shipped(filename: str) -> dict[str, SeverityRule] | None:
    path = files("safepath.risk.models") / filename
    if not path.is_file():
        return None
    return _parse(path.read_text(encoding="utf-8"), filename)


def rule_names(model: RiskModel) -> list[str]:
    rules = _shipped(f"{model.id}.severity.yaml") or _shipped(GENERIC) or {}
    return [n for n in rules if n]


def load_rule(
    model: RiskModel, name: str | None = None, *, file: str | Path | None = None
) -> SeverityRule:
    """The rule set ``name`` (default: the file's default) for ``model``: from ``file`` (a rule
    YAML) when given, else from the model's shipped ``<model>.severity.yaml``, else from the
    generic ``area-severity.yaml``. Its indicators must be the model's record indicators."""
    if file is not None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot read severity rules {path}: {exc.strerror}",
                problems=[Problem("unreadable file", scope=str(path))],
            ) from exc
        rules, source = _parse(text, path.name), path.name
    else:
        source = f"{model.id}.severity.yaml"
        rules = _shipped(source) or {}
        if not rules:
            source, rules = GENERIC, _shipped(GENERIC) or {}
    rule = rules.get(name or "")
    if rule is None:
        known = ", ".join(n for n in rules if n)
        raise InputError(
            f"no severity rule {name!r} for {model.id} ({source} has {known})",
            problems=[Problem(f"unknown rule {name!r}", scope=source)],
        )
    check_rule(model, rule, source)
    return rule


def check_rule(model: RiskModel, rule: SeverityRule, source: str) -> None:
    known = {i.id: i for i in model.indicators}
    problems = []
    for ind in rule.indicator_ids():
        if ind not in known:
            problems.append(Problem(f"not an indicator of {model.id}", scope=source, value=ind))
        elif known[ind].source != "record":
            problems.append(Problem("an area-profile indicator", scope=source, value=ind))
    if problems:
        raise InputError(
            f"{source}: rule {rule.name!r} names {len(problems)} indicator(s) it cannot read "
            f"from the records: {', '.join(str(p.value) for p in problems)}",
            problems=problems,
        )


# --- the decision ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """Per area: population and weighted sums (not yet shares)."""

    population: float
    at_least: Mapping[int, float]  # phase p -> weight at phase >= p
    critical: Mapping[str, float]  # indicator -> weight scoring >= its min_score
    aors: Mapping[str, Mapping[int, float]]  # aor -> p -> weight with AoR severity >= p


@dataclass(frozen=True)
class Decision:
    area_phase: int | None
    share_phase: int | None
    critical_phase: int | None
    aor_phases: dict[str, int | None] = field(default_factory=dict)
    phase5_guard: bool = False  # phase 5 was held at 4
    reason: str = ""


def _pct(x: float) -> str:
    return f"{100 * x:.4g}%"


def _by_share(rule: SeverityRule, shares: Mapping[int, float]) -> int:
    if shares.get(5, 0.0) >= rule.phase5.share:
        return 5
    return next((p for p in (4, 3, 2) if shares.get(p, 0.0) >= rule.share), 1)


def decide(rule: SeverityRule, m: Measures) -> Decision:
    """The area's phase under ``rule`` and why (one sentence naming what set it)."""
    if m.population <= 0:
        return Decision(None, None, None, dict.fromkeys(rule.aors), reason="no population")
    pop = m.population
    shares = {p: m.at_least.get(p, 0.0) / pop for p in PHASES}
    share_phase = _by_share(rule, shares)
    reasons = {share_phase: f"{_pct(shares.get(share_phase, 1.0))} at phase >= {share_phase}"}
    if share_phase == 1:
        reasons[1] = f"under {_pct(rule.share)} at phase >= 2"
    aor_phases: dict[str, int | None] = {}
    five_share = shares[5] >= rule.phase5.share
    for code, aor in rule.aors.items():
        a_shares = {p: m.aors.get(code, {}).get(p, 0.0) / pop for p in PHASES}
        phase = aor_phases[code] = _by_share(rule, a_shares)
        five_share = five_share or a_shares[5] >= rule.phase5.share
        if phase > max(reasons):
            reasons[phase] = f"{aor.label}: {_pct(a_shares[phase])} at severity >= {phase}"
    critical_phase = 1
    supported = False
    for c in rule.critical:
        share = m.critical.get(c.indicator, 0.0) / pop
        if share >= (c.share or rule.share):
            critical_phase = max(critical_phase, c.phase)
            supported = supported or c.phase == 5
            if c.phase > max(reasons):
                reasons[c.phase] = (
                    f"critical indicator {c.indicator}: {_pct(share)} score >= {c.min_score}"
                )
    phase = max(reasons)
    guard = False
    if phase == 5 and not (five_share and (supported or not rule.phase5.critical)):
        guard, phase = True, 4
        why = (
            "no triggered phase-5 critical indicator"
            if five_share
            else (f"under {_pct(rule.phase5.share)} at phase 5")
        )
        reasons[4] = f"phase-5 guard ({why}): {reasons[5]}"
    return Decision(phase, share_phase, critical_phase, aor_phases, guard, reasons[phase])


def as_columns(rule: SeverityRule, d: Decision) -> dict[str, Any]:
    """The output columns of one area's decision (naming and citing the rule)."""
    return {
        "area_phase": d.area_phase,
        "share_phase": d.share_phase,
        "critical_phase": d.critical_phase,
        **{f"aor_{code}": d.aor_phases.get(code) for code in rule.aors},
        "phase5_guard": d.phase5_guard,
        "rule": rule.name,
        "rule_citation": rule.citation,
        "phase_reason": d.reason,
    }


# --- measures: the record evaluator ----------------------------------------------------------


def _scores(model: RiskModel, record: Mapping[str, Any], area: Any) -> dict[str, int]:
    from safepath.risk.record import evaluate

    e = evaluate(model, dict(record), area).explanation
    return {
        ind["id"]: int(ind["score"])
        for comps in e.get("levels", {}).values()
        for group in comps.values()
        for ind in group.get("indicators", [])
    }


def measures_records(
    model: RiskModel,
    rule: SeverityRule,
    records: Iterable[Mapping[str, Any]],
    keys: Sequence[tuple[str, ...]],
) -> dict[tuple[str, ...], Measures]:
    """Measures per group key, over scored records (``phase`` and the answers), weights
    checked (``keys[i]`` is record i's group)."""
    from safepath.risk.weights import weight_of

    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for rec, key in zip(records, keys, strict=True):
        g = out.setdefault(key, {"pop": 0.0, "at": {}, "crit": {}, "aor": {}})
        w = weight_of(rec[model.weight_field]) if model.weight_field else 1.0
        g["pop"] += w
        phase = int(rec["phase"])
        for p in PHASES:
            if phase >= p:
                g["at"][p] = g["at"].get(p, 0.0) + w
        if not rule.indicator_ids():
            continue
        scores = _scores(model, rec, None)
        for c in rule.critical:
            if scores.get(c.indicator, 0) >= c.min_score:
                g["crit"][c.indicator] = g["crit"].get(c.indicator, 0.0) + w
        for code, aor in rule.aors.items():
            top = max((scores[i] for i in aor.indicators if i in scores), default=0)
            per = g["aor"].setdefault(code, {})
            for p in PHASES:
                if top >= p:
                    per[p] = per.get(p, 0.0) + w
    return {k: Measures(g["pop"], g["at"], g["crit"], g["aor"]) for k, g in out.items()}


# --- measures: the table evaluator -----------------------------------------------------------


def measures_expr(
    model: RiskModel, rule: SeverityRule, t: Any, keys: Mapping[str, Any], weight: Any, backend: str
) -> Any:
    """One aggregate per group: records, population and the weighted sums ``decide`` reads, as
    columns ``_n``, ``_pop``, ``_eq{p}`` (at phase p), ``_at{p}`` (at phase >= p), ``_c{i}``
    (critical i) and ``_a{j}_{p}`` (AoR j)."""
    import ibis

    from safepath.risk.columns import ColumnView
    from safepath.risk.table import _indicator_score

    by_id = {i.id: i for i in model.indicators}

    def resolve(source: str, name: str) -> Any:
        if source != "record" or name not in t.columns:
            return None
        return ColumnView(t[name], backend)

    def score(ind_id: str) -> Any:
        ind = by_id[ind_id]
        view = resolve(ind.source, ind.field)
        s = ibis.null("int32") if view is None else _indicator_score(ind, view)
        if ind.condition is not None:
            s = ind.condition.to_ibis(resolve).ifelse(s, ibis.null("int32"))
        return s.cast("int64").fill_null(0)

    cols: dict[str, Any] = {"_w": weight, "_phase": t.phase.cast("int64")}
    for i, c in enumerate(rule.critical):
        cols[f"_s{i}"] = score(c.indicator)
    for j, aor in enumerate(rule.aors.values()):
        parts = [score(x) for x in aor.indicators]
        cols[f"_g{j}"] = parts[0] if len(parts) == 1 else ibis.greatest(*parts)
    staged = t.select(**keys, **cols)
    w = staged._w
    measures: dict[str, Any] = {"_n": staged.count(), "_pop": w.sum()}
    for p in (1, *PHASES):  # the weight at each phase: the shares ``classify_areas`` gives
        measures[f"_eq{p}"] = w.sum(where=staged._phase == p)
    for p in PHASES:
        measures[f"_at{p}"] = w.sum(where=staged._phase >= p)
    for i, c in enumerate(rule.critical):
        measures[f"_c{i}"] = w.sum(where=staged[f"_s{i}"] >= c.min_score)
    for j in range(len(rule.aors)):
        for p in PHASES:
            measures[f"_a{j}_{p}"] = w.sum(where=staged[f"_g{j}"] >= p)
    by = list(keys)
    return staged.group_by(by).aggregate(**measures) if by else staged.aggregate(**measures)


def measures_from_row(rule: SeverityRule, row: Mapping[str, Any]) -> Measures:
    def num(name: str) -> float:
        v = row.get(name)
        return 0.0 if v is None else float(v)

    return Measures(
        population=num("_pop"),
        at_least={p: num(f"_at{p}") for p in PHASES},
        critical={c.indicator: num(f"_c{i}") for i, c in enumerate(rule.critical)},
        aors={code: {p: num(f"_a{j}_{p}") for p in PHASES} for j, code in enumerate(rule.aors)},
    )
