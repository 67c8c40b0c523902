"""One concurrency contract for every update of cases, persons, plans, intervention progress,
referrals and follow-ups:
the version is required (no If-Match: 428), a stale one is refused (412, ``current_version`` in
the error body and the ETag header) and nothing is overwritten; of racing updates with the same
version exactly one succeeds."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.cases import registry
from safepath.cases.schemas import CaseUpdate
from safepath.errors import PreconditionFailed
from safepath.store.db import get_engine, session_scope
from safepath.store.models.cases import Case

API = "/api/v1"
PLAN = {"interventions": [{"modality": "responsive", "thematic_area": "gbv"}]}
SHARE = {"service": "legal-aid/civil-docs", "shared_fields": ["age"]}


def _assessed(client: TestClient, staff: Staff) -> str:
    code: str = new_case(client, staff, new_person(client, staff))["code"]
    r = client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": answers(0.6)},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text
    return code


def _referral(client: TestClient, staff: Staff, code: str) -> str:
    r = client.post(
        f"{API}/cases/{code}/referrals",
        json=SHARE,
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text
    ref: str = r.json()["code"]
    return ref


# (kind, who writes, the record's URL, the write: method, URL, body)
Write = tuple[str, str, str, str, str, dict[str, Any]]


def _writes(client: TestClient, staff: Staff) -> list[Write]:
    code = _assessed(client, staff)
    person = client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker")).json()
    ref = _referral(client, staff, _assessed(client, staff))
    case_url = f"{API}/cases/{code}"
    planned = f"{API}/cases/{_assessed(client, staff)}"
    r = client.put(f"{planned}/plan", json=PLAN, headers=staff.fresh(client, "caseworker", planned))
    assert r.status_code == 200, r.text
    return [
        ("case", "caseworker", case_url, "PATCH", case_url, {"narrative": "changed"}),
        (
            "person",
            "caseworker",
            f"{API}/persons/{person['person_code']}",
            "PATCH",
            f"{API}/persons/{person['person_code']}",
            {"notes": "changed"},
        ),
        ("plan", "caseworker", case_url, "PUT", f"{case_url}/plan", PLAN),
        ("follow-up", "caseworker", case_url, "POST", f"{case_url}/follow-ups", {"kind": "call"}),
        (
            "intervention",
            "caseworker",
            planned,
            "POST",
            f"{planned}/interventions/1/progress",
            {"status": "done", "note": "delivered"},
        ),
        (
            "referral",
            "partner",
            f"{API}/referrals/{ref}",
            "POST",
            f"{API}/referrals/{ref}/accept",
            {},
        ),
    ]


def _snapshot(client: TestClient, staff: Staff, who: str, record: str) -> Any:
    r = client.get(record, headers=staff.auth(who))
    assert r.status_code == 200, r.text
    return r.headers["ETag"], r.json()


def test_every_update_without_a_version_answers_428_and_changes_nothing(
    client: TestClient, staff: Staff
) -> None:
    for kind, who, record, method, url, body in _writes(client, staff):
        before = _snapshot(client, staff, who, record)
        r = client.request(method, url, json=body, headers=staff.auth(who))
        assert r.status_code == 428, (kind, r.text)
        assert r.json()["error"]["code"] == "precondition_required", kind
        assert _snapshot(client, staff, who, record) == before, kind


def test_every_stale_update_answers_412_with_the_current_version(
    client: TestClient, staff: Staff
) -> None:
    for kind, who, record, method, url, body in _writes(client, staff):
        etag, view = _snapshot(client, staff, who, record)
        current = int(etag.strip('"'))
        stale = staff.auth(who, current - 1 if current > 1 else current + 5)
        r = client.request(method, url, json=body, headers=stale)
        assert r.status_code == 412, (kind, r.text)
        error = r.json()["error"]
        assert error["code"] == "precondition_failed", kind
        assert error["current_version"] == current, kind
        assert r.headers["ETag"] == f'"{current}"', kind
        assert _snapshot(client, staff, who, record) == (etag, view), kind
        # the version named in the refusal is the one to send
        r = client.request(method, url, json=body, headers=staff.auth(who, current))
        assert r.status_code in (200, 201), (kind, r.text)


def test_if_match_star_names_no_version(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    headers = staff.auth("caseworker") | {"If-Match": "*"}
    r = client.patch(f"{API}/cases/{code}", json={"narrative": "x"}, headers=headers)
    assert r.status_code == 428


def _race(client: TestClient, n: int, send: Callable[[TestClient], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return [f.result() for f in [pool.submit(send, client) for _ in range(n)]]


@pytest.mark.parametrize("kind", ["case", "person", "referral", "intervention"])
def test_ten_racing_updates_with_one_version_one_wins(
    client: TestClient, staff: Staff, kind: str
) -> None:
    writes = {w[0]: w for w in _writes(client, staff)}
    _, who, record, method, url, body = writes[kind]
    etag, _ = _snapshot(client, staff, who, record)
    headers = staff.auth(who, int(etag.strip('"')))
    replies = _race(client, 10, lambda c: c.request(method, url, json=body, headers=headers))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] + [412] * 9, statuses
    after, _ = _snapshot(client, staff, who, record)
    assert int(after.strip('"')) == int(etag.strip('"')) + 1
    # each loser, refused by the version check or by the versioned UPDATE, names the winner's
    assert {r.json()["error"].get("current_version") for r in replies if r.status_code == 412} == {
        int(after.strip('"'))
    }


def test_a_write_that_loses_the_race_after_its_check_answers_412(
    client: TestClient, staff: Staff
) -> None:
    """Both writers pass the version check; the versioned UPDATE refuses the second (412, not
    409), naming the version the first left; nothing of the second is kept."""
    code = new_case(client, staff, new_person(client, staff))["code"]
    cw = staff.actors["caseworker"]
    first, second = Session(get_engine()), Session(get_engine())
    try:
        version = registry.get_case(first, cw, code).version
        held = registry.get_case(second, cw, code)  # the second writer's read, kept in its session
        assert held.version == version
        registry.update_case(first, cw, code, CaseUpdate(narrative="first"), version)
        first.commit()
        with pytest.raises(PreconditionFailed) as refused:
            registry.update_case(second, cw, code, CaseUpdate(narrative="second"), version)
        assert "meanwhile" in refused.value.message  # the UPDATE refused it, not the check
        assert refused.value.current_version == version + 1
        assert refused.value.as_dict()["error"]["current_version"] == version + 1
    finally:
        first.close()
        second.close()
    with session_scope() as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert (case.version, case.narrative) == (version + 1, "first")
