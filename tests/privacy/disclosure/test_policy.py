"""The export policy: refused with its figures, or anonymised on request; one audit event per
export carrying the figures and the decision."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from safepath.privacy.actor import Actor, Role
from safepath.privacy.disclosure import (
    DisclosurePolicy,
    DisclosureRefused,
    as_table,
    check_export,
    control_export,
    measure_risk,
)
from safepath.settings import Settings
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

ANALYST = Actor(user_id=3, username="analyst", role=Role.caseworker, agency_id=1, ip=None)
KEYS = ["sex", "age_group", "place"]


def _cases(unique: int) -> pd.DataFrame:
    common = [("f", "18_59", "p1")] * 20 + [("m", "18_59", "p1")] * 20
    rare = [("m", "60_plus", f"r{i}") for i in range(unique)]
    return pd.DataFrame(common + rare, columns=KEYS)


def test_policy_defaults_come_from_the_settings() -> None:
    p = DisclosurePolicy.from_settings(Settings())
    assert (p.k, p.max_global_risk, p.max_individual_risk) == (3, 0.03, 0.1)
    p = DisclosurePolicy.from_settings(Settings(disclosure_k=5, disclosure_max_global_risk=0.01))
    assert (p.k, p.max_global_risk) == (5, 0.01)


def test_a_table_over_policy_is_reported_with_its_figures() -> None:
    report = check_export(as_table(_cases(2)), KEYS, DisclosurePolicy(k=3))
    assert not report.within_policy
    assert report.records_below_k == 2
    # unweighted: risk 1/fk: two records at 1, forty at 1/20
    assert report.measures.global_risk == pytest.approx((2 + 40 / 20) / 42)
    assert report.records_above_max_risk == 2
    assert any("fewer than 3 records" in v for v in report.violations)
    assert any("global risk" in v for v in report.violations)


def _events(engine: Engine) -> list[AuditEvent]:
    with session_scope() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


def test_refused_export_is_audited_with_its_figures(engine: Engine) -> None:
    with session_scope() as s:
        done = control_export(
            s,
            ANALYST,
            as_table(_cases(2)),
            KEYS,
            kind="case_list",
            record_id="export-1",
            policy=DisclosurePolicy(k=3, max_individual_risk=0.1, max_global_risk=0.2),
        )
    assert done.table is None and done.report.decision == "refused"
    with pytest.raises(DisclosureRefused, match="2 record\\(s\\) below 3-anonymity") as exc:
        done.report.raise_if_refused()
    assert exc.value.status == 422 and exc.value.problems
    (event,) = _events(engine)
    fields = json.loads(event.fields)
    assert "disclosure.decision=refused" in fields
    assert "disclosure.records_below_k=2" in fields
    assert "disclosure.records=42" in fields
    assert event.record_type == "case_list" and event.record_id == "export-1"


def test_anonymise_on_request_meets_the_policy_and_is_audited(engine: Engine) -> None:
    policy = DisclosurePolicy(k=3, max_individual_risk=0.1, max_global_risk=0.2)
    with session_scope() as s:
        done = control_export(
            s,
            ANALYST,
            as_table(_cases(2)),
            KEYS,
            kind="case_list",
            policy=policy,
            anonymise=True,
            importance=["sex", "age_group"],
        )
    assert done.report.decision == "anonymised" and done.table is not None
    after = measure_risk(done.table, KEYS)
    assert after.k_violations[3] == 0 and after.max_risk <= 0.1
    assert done.report.suppression is not None
    assert done.report.suppression.suppressed["place"] == 2  # the least important key
    assert done.report.before is not None and done.report.before.max_risk == 1.0
    (event,) = _events(engine)
    fields = json.loads(event.fields)
    assert "disclosure.decision=anonymised" in fields
    assert "disclosure.suppressed.place=2" in fields


def test_a_table_within_policy_is_released_and_audited(engine: Engine) -> None:
    with session_scope() as s:
        done = control_export(
            s,
            ANALYST,
            as_table(_cases(0)),
            KEYS,
            kind="survey_round",
            policy=DisclosurePolicy(k=3, max_individual_risk=0.1, max_global_risk=0.2),
        )
    assert done.report.decision == "released" and done.table is not None
    done.report.raise_if_refused()
    (event,) = _events(engine)
    assert "disclosure.decision=released" in json.loads(event.fields)


def test_normalised_weights_are_measured_unweighted_on_export(engine: Engine) -> None:
    """A round with normalised weights (some below 1, as the REACH MSNA rounds have) is measured
    as if each record stood for itself, the most cautious reading, not refused as bad input."""
    from safepath.privacy.disclosure.exports import control_dataset

    frame = pd.DataFrame(
        {
            "resp_sex": ["f"] * 20 + ["m"] * 20 + ["m"],
            "admin1": ["p1"] * 40 + ["p2"],
            "weight": [0.5] * 20 + [1.5] * 21,
        }
    )
    with session_scope() as s:
        done = control_dataset(s, ANALYST, frame, kind="survey_round", record_id="r")
    m = done.report.measures
    assert done.report.decision == "refused" and m.weight is None
    # unweighted: the lone record is unique (risk 1/fk = 1); the others 1/20
    assert m.max_risk == pytest.approx(1.0)
    assert m.global_risk == pytest.approx((40 * (1 / 20) + 1) / 41)
    with session_scope() as s:
        kept = control_dataset(s, ANALYST, frame.assign(weight=[2.0] * 41), kind="survey_round")
    assert kept.report.measures.weight == "weight"  # expansion weights are used
