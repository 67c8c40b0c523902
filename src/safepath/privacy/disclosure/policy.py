"""The disclosure policy every microdata export passes: check, refuse or anonymise, audit.

Defaults (settings ``disclosure_k``, ``disclosure_max_global_risk``,
``disclosure_max_individual_risk``): k ≥ 3, global risk below 3 % (OCHA's HDX review), no
individual risk above 0.1. ``check_export`` measures a table against the policy;
``control_export`` is what an export path calls: it releases a table within policy, anonymises
one over policy when asked (local suppression to k and to the individual-risk bound, least
important keys first, then measured again), and otherwise refuses; in every case it records one
audit event (action ``export``) whose ``fields`` carry the figures and the decision, in the
caller's transaction. The caller commits, then calls ``raise_if_refused`` so that a refusal is
audited too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import ibis.expr.types as ir
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem, ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure.measures import RiskMeasures, check_method, measure_risk
from safepath.privacy.disclosure.recode import recode_age
from safepath.privacy.disclosure.suppress import Suppression, local_suppression
from safepath.settings import Settings, get_settings
from safepath.store.models.audit import AuditEvent

Decision = Literal["released", "anonymised", "refused"]


@dataclass(frozen=True)
class DisclosurePolicy:
    k: int = 3
    max_global_risk: float = 0.03
    max_individual_risk: float = 0.1
    method: str = "approx"

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DisclosurePolicy:
        s = settings or get_settings()
        return cls(
            k=s.disclosure_k,
            max_global_risk=s.disclosure_max_global_risk,
            max_individual_risk=s.disclosure_max_individual_risk,
        )


@dataclass(frozen=True)
class DisclosureReport:
    """One table's figures against a policy."""

    policy: DisclosurePolicy
    measures: RiskMeasures
    violations: tuple[str, ...]
    decision: Decision | None = None
    suppression: Suppression | None = None
    before: RiskMeasures | None = None  # when anonymised: the figures of the original
    kind: str = "microdata"
    recoded: tuple[str, ...] = ()  # age columns recoded to brackets before suppression

    @property
    def within_policy(self) -> bool:
        return not self.violations

    @property
    def records_below_k(self) -> int:
        p = self.measures.patterns
        return int(p.count[p.fk < self.policy.k].sum())

    @property
    def records_above_max_risk(self) -> int:
        return self.measures.above(self.policy.max_individual_risk)

    def figures(self) -> dict[str, object]:
        m = self.measures
        out: dict[str, object] = {
            "kind": self.kind,
            "decision": self.decision,
            "records": m.records,
            "keys": list(m.keys),
            "global_risk": m.global_risk,
            "expected_reidentifications": m.expected_reidentifications,
            "max_risk": m.max_risk,
            "k": self.policy.k,
            "records_below_k": self.records_below_k,
            "records_above_max_risk": self.records_above_max_risk,
            "violations": list(self.violations),
        }
        if self.suppression is not None:
            out["suppressed"] = dict(self.suppression.suppressed)
        if self.recoded:
            out["recoded"] = list(self.recoded)
        if self.before is not None:
            out["before"] = {
                "global_risk": self.before.global_risk,
                "expected_reidentifications": self.before.expected_reidentifications,
                "max_risk": self.before.max_risk,
            }
        return out

    def audit_fields(self) -> list[str]:
        """The figures as ``name=value`` entries for the audit event's field list."""
        m = self.measures
        entries = [
            f"disclosure.decision={self.decision}",
            f"disclosure.kind={self.kind}",
            f"disclosure.records={m.records}",
            f"disclosure.keys={'|'.join(m.keys)}",
            f"disclosure.global_risk={m.global_risk:.6g}",
            f"disclosure.expected_reidentifications={m.expected_reidentifications:.6g}",
            f"disclosure.max_risk={m.max_risk:.6g}",
            f"disclosure.k={self.policy.k}",
            f"disclosure.max_global_risk={self.policy.max_global_risk:.6g}",
            f"disclosure.max_individual_risk={self.policy.max_individual_risk:.6g}",
            f"disclosure.records_below_k={self.records_below_k}",
            f"disclosure.records_above_max_risk={self.records_above_max_risk}",
        ]
        if self.suppression is not None:
            entries += [
                f"disclosure.suppressed.{k}={v}" for k, v in self.suppression.suppressed.items()
            ]
        if self.recoded:
            entries.append(f"disclosure.recoded={'|'.join(self.recoded)}")
        if self.before is not None:
            b = self.before
            entries += [
                f"disclosure.before.global_risk={b.global_risk:.6g}",
                f"disclosure.before.expected_reidentifications={b.expected_reidentifications:.6g}",
                f"disclosure.before.max_risk={b.max_risk:.6g}",
            ]
        return entries

    def raise_if_refused(self) -> None:
        if self.decision == "refused":
            raise DisclosureRefused(self)


class DisclosureRefused(ValidationFailed):
    """An export over the disclosure policy; the message and problems carry the figures."""

    code = "disclosure_refused"

    def __init__(self, report: DisclosureReport) -> None:
        m = report.measures
        super().__init__(
            f"export refused by the disclosure policy: global risk {m.global_risk:.2%} "
            f"(limit {report.policy.max_global_risk:.0%}), {report.records_below_k} record(s) "
            f"below {report.policy.k}-anonymity, {report.records_above_max_risk} with individual "
            f"risk above {report.policy.max_individual_risk:g} (max {m.max_risk:.3g})",
            problems=[Problem(v, scope=report.kind) for v in report.violations],
        )
        self.report = report


def _violations(m: RiskMeasures, policy: DisclosurePolicy) -> tuple[str, ...]:
    out = []
    if m.global_risk >= policy.max_global_risk:
        out.append(
            f"global risk {m.global_risk:.2%} is not below {policy.max_global_risk:.2%} "
            f"({m.expected_reidentifications:.2f} expected re-identifications)"
        )
    below = int(m.patterns.count[m.patterns.fk < policy.k].sum())
    if below:
        out.append(f"{below} record(s) share their key values with fewer than {policy.k} records")
    above = m.above(policy.max_individual_risk)
    if above:
        out.append(
            f"{above} record(s) have an individual risk above {policy.max_individual_risk:g} "
            f"(max {m.max_risk:.3g})"
        )
    return tuple(out)


def check_export(
    table: ir.Table,
    keys: Sequence[str],
    policy: DisclosurePolicy | None = None,
    *,
    weight: str | None = None,
    kind: str = "microdata",
) -> DisclosureReport:
    """The table's figures against the policy (no decision, nothing recorded)."""
    policy = policy or DisclosurePolicy.from_settings()
    check_method(policy.method, 1.0)
    m = measure_risk(table, keys, weight, method=policy.method, k_levels=(policy.k,), source=kind)
    return DisclosureReport(policy=policy, measures=m, violations=_violations(m, policy), kind=kind)


@dataclass(frozen=True)
class ControlledExport:
    table: ir.Table | None  # None when refused
    report: DisclosureReport
    audit_event: AuditEvent | None = field(default=None, repr=False)


def control_export(
    session: Session,
    actor: Actor,
    table: ir.Table,
    keys: Sequence[str],
    *,
    kind: str,
    record_id: str | int | None = None,
    policy: DisclosurePolicy | None = None,
    weight: str | None = None,
    anonymise: bool = False,
    importance: Sequence[str] | None = None,
    ages: Sequence[str] = (),
) -> ControlledExport:
    """Release, anonymise or refuse ``table``, recording one audit event with the figures.
    Anonymising first recodes the ``ages`` columns to the catalogue's age brackets (global
    recoding), then suppresses locally. The caller commits the session, then calls
    ``result.report.raise_if_refused()``."""
    report = check_export(table, keys, policy, weight=weight, kind=kind)
    out: ir.Table | None = table
    if report.within_policy:
        report = replace(report, decision="released")
    elif anonymise:
        for age in ages:
            table = recode_age(table, age, source=kind)
        done = _anonymise(table, keys, report.policy, weight, importance, kind)
        if done is None:  # no suppression can meet the policy: refused as it was
            report, out = replace(report, decision="refused"), None
        else:
            safe, sup, after = done
            decision: Decision = "anonymised" if after.within_policy else "refused"
            report = replace(
                after,
                decision=decision,
                suppression=sup,
                before=report.measures,
                recoded=tuple(ages),
            )
            out = safe if after.within_policy else None
    else:
        report = replace(report, decision="refused")
        out = None
    event = audit.record(
        session, actor, "export", kind[:40], record_id, fields=report.audit_fields()
    )
    return ControlledExport(table=out, report=report, audit_event=event)


def _anonymise(
    table: ir.Table,
    keys: Sequence[str],
    policy: DisclosurePolicy,
    weight: str | None,
    importance: Sequence[str] | None,
    kind: str,
) -> tuple[ir.Table, Suppression, DisclosureReport] | None:
    """Local suppression to k and to the individual-risk bound; while the global risk is still
    over its limit, the individual bound is halved (a few times at most) and suppression rerun.
    None when even blanking every key value cannot meet the bound."""
    bound = policy.max_individual_risk
    method = check_method(policy.method, 1.0)
    best: tuple[ir.Table, Suppression, DisclosureReport] | None = None
    for _ in range(8):
        try:
            safe, sup = local_suppression(
                table,
                keys,
                policy.k,
                importance=importance,
                weight=weight,
                max_risk=bound,
                method=method,
                source=kind,
            )
        except InputError:
            break
        best = (safe, sup, check_export(safe, keys, policy, weight=weight, kind=kind))
        if best[2].within_policy:
            break
        bound /= 2
    return best
