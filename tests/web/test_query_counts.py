"""Pages read with a fixed number of SQL statements, whatever the caseload: the case page with N
assessments, referrals and follow-ups, "my work" with N cases, the name search matching N
persons, the filtered case list (web and API), the partner's inbox and the admin's users page.
Counted with SQLAlchemy's ``before_cursor_execute`` event on the app's engine; a page that ran
one query per row would read more for 50 rows than for 5 and fail."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from tests.apps import shared_app

from safepath.cases import assessments, followups, referrals, registry
from safepath.cases.schemas import CaseIn, FollowUpIn, ReferralIn
from safepath.demo import load_demo
from safepath.demo.cases import synthetic_answers
from safepath.privacy import identity, persons
from safepath.privacy.actor import Actor
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.settings import reset_settings
from safepath.store.db import get_engine, session_scope
from safepath.store.models import User
from safepath.store.models.cases import Case

PASSWORD = "tern lagoon 123 quartz"
CONSENTS = ("case_management", "referral_sharing")


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # many users are made here; the hash cost is not what is measured
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()


def _login(c: TestClient, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert r.status_code == 303, r.text[-300:]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    load_demo()
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "demo-agency", PASSWORD, ["north"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        _login(c, "cw")
        yield c


def _actor() -> Actor:
    from sqlalchemy import select

    from safepath.store.models import User

    with session_scope() as s:
        return identity.actor_for(s.scalars(select(User).where(User.username == "cw")).one())


def _open(s: Any, actor: Actor, given_name: str) -> str:
    person = persons.create(
        s,
        actor,
        PersonIn(
            given_name=given_name,
            family_name="Haddad",
            place_pcode="XM0101",
            consents=[ConsentIn(purpose=p) for p in CONSENTS],
        ),
    )
    case = registry.create_case(
        s, actor, CaseIn(person_code=person["code"], thematic_areas=["gbv"])
    )
    return case.code


def _statements(
    client: TestClient, url: str, headers: dict[str, str] | None = None
) -> tuple[int, int, str, list[str]]:
    """(statements, of which the audit trail's, page, the statements) for one GET of ``url``."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text[-500:]
    audit = sum(1 for st in seen if "audit_events" in st or "pg_advisory_xact_lock" in st)
    return len(seen), audit, r.text, seen


def _v(s: Session, code: str) -> int:
    """The case's current version: every service write names the one it is based on."""
    return int(s.scalar(select(Case.version).where(Case.code == code)) or 0)


def _case_with_history(actor: Actor, n: int, assessed: int | None = None) -> str:
    """A case with ``n`` referrals and follow-ups, and ``assessed`` (default ``n``) assessments."""
    rng = random.Random(n)
    with session_scope() as s:
        code = _open(s, actor, f"Case{n}")
        for i in range(n if assessed is None else assessed):
            answers = synthetic_answers(
                rng, "XM0101", 0.3 + i / (3 * n), age=30, sex="female", group="migrant"
            )
            assessments.record_assessment(s, actor, code, answers, _v(s, code))
        for i in range(n):
            referrals.refer(
                s,
                actor,
                code,
                ReferralIn(service="legal-aid/civil-docs", shared_fields=["age"]),
                _v(s, code),
            )
            note = FollowUpIn(kind="call", note=f"n{i}")
            followups.record_follow_up(s, actor, code, note, _v(s, code))
    return code


def test_my_work_reads_the_same_for_5_and_25_cases(client: TestClient) -> None:
    actor = _actor()
    counts = []
    for total in (5, 25):
        with session_scope() as s:
            while len(registry.list_cases(s, actor, registry.CaseFilter()).items) < total:
                _open(s, actor, "Work")
        n, _, html, seen = _statements(client, "/work")
        assert html.count('href="/cases/CS-') == total
        # one aggregate (counts by level, overdue) and one list, sorted by the database
        assert sum(1 for st in seen if re.search(r"FROM cases\b", st)) == 2
        counts.append(n)
    assert counts[0] == counts[1], counts


def test_the_name_search_reads_the_same_for_5_and_25_persons(client: TestClient) -> None:
    """The cases of every person found come from one query (it was two per person), and the
    audit events of the persons shown are written and linked in a fixed number of statements at
    commit. The person registry (``privacy.persons.search``) still looks up each shown person's
    team (at most 10); those are counted apart."""
    actor = _actor()
    counts = []
    for total in (5, 25):
        with session_scope() as s:
            have = persons.search(s, actor, "Mariam", limit=1)["total"]
            for _ in range(total - have):
                _open(s, actor, "Mariam")
        n, audit, html, seen = _statements(client, "/cases?q=Mariam&lang=en")
        shown = min(total, 10)
        assert f"Cases found: {shown}" in html
        teams = sum(1 for st in seen if re.search(r"FROM teams\s+WHERE teams.id =", st))
        case_reads = sum(1 for st in seen if re.search(r"FROM cases\b", st))
        assert 0 < audit and teams <= shown
        counts.append((case_reads, audit, n - audit - teams))
    assert counts[0] == counts[1], counts


def test_the_case_page_reads_the_same_whatever_its_history(client: TestClient) -> None:
    """3 vs 12 assessments, 5 vs 50 referrals and follow-ups: the same statements."""
    actor = _actor()
    small, large = _case_with_history(actor, 5, assessed=3), _case_with_history(actor, 50, 12)
    n_small, _, html_small, _ = _statements(client, f"/cases/{small}")
    n_large, _, html_large, _ = _statements(client, f"/cases/{large}")
    assert html_large.count('<td dir="ltr">legal-aid/civil-docs</td>') == 50
    assert html_small.count('<td dir="ltr">legal-aid/civil-docs</td>') == 5
    assert html_large.count("<li>") > html_small.count("<li>")
    assert n_small == n_large, (n_small, n_large)


def _cases(actor: Actor, total: int) -> None:
    """Open cases (in XM01, thematic area gbv) until the caseworker has ``total``."""
    with session_scope() as s:
        have = len(registry.list_cases(s, actor, registry.CaseFilter(), limit=500).items)
        for i in range(total - have):
            _open(s, actor, f"List{i}")


def test_the_filtered_case_list_reads_the_same_for_5_and_50_cases(client: TestClient) -> None:
    actor = _actor()
    with session_scope() as s:
        token = identity.issue_token(s, s.get_one(User, actor.user_id)).token
    url = "/cases?status=registered&thematic_area=gbv&place=XM01&sort=-updated_at&lang=en"
    api = "/api/v1/cases?status=registered&thematic_area=gbv&place=XM01&limit=50"
    counts = []
    for total in (5, 50):
        _cases(actor, total)
        n, _, html, _ = _statements(client, url)
        shown = min(total, 25)  # a page of the web list
        assert len(set(re.findall(r'href="/cases/(CS-[^"]+)"', html))) == shown
        assert f"Cases found: {total}" in html and ('rel="next"' in html) == (total > 25)
        n_api, _, body, _ = _statements(client, api, {"Authorization": f"Bearer {token}"})
        assert body.count('"code":"CS-') == total
        counts.append((n, n_api))
    assert counts[0] == counts[1], counts


def _refer(actor: Actor, n: int) -> None:
    """``n`` referrals to legal-aid in all, each from a case of its own."""
    with session_scope() as s:
        for i in range(n):
            code = _open(s, actor, f"Referred{i}")
            referrals.refer(
                s,
                actor,
                code,
                ReferralIn(service="legal-aid/civil-docs", shared_fields=["age"]),
                _v(s, code),
            )


def test_the_partner_inbox_reads_the_same_for_5_and_25_referrals(client: TestClient) -> None:
    actor = _actor()
    with session_scope() as s:
        identity.add_user(s, "fp", "partner_focal_point", "legal-aid", PASSWORD)
    counts = []
    with TestClient(shared_app(), follow_redirects=False) as partner:
        _login(partner, "fp")
        for total, more in ((5, 5), (25, 20)):
            _refer(actor, more)
            n, _, html, _ = _statements(partner, "/inbox")
            assert html.count('<a href="/referrals/') == total
            counts.append(n)
    assert counts[0] == counts[1], counts


def test_the_admin_users_page_reads_the_same_for_5_and_50_users(db_url: str) -> None:
    load_demo()
    with session_scope() as s:
        identity.add_user(s, "boss", "admin", "demo-agency", PASSWORD)
    counts = []
    with TestClient(shared_app(), follow_redirects=False) as admin:
        _login(admin, "boss")
        made = 1
        for total in (5, 50):
            with session_scope() as s:
                for i in range(made, total):
                    identity.add_user(
                        s, f"user{i:02d}", "caseworker", "demo-agency", PASSWORD, ["north"]
                    )
            made = total
            n, _, html, _ = _statements(admin, "/admin")
            assert all(f"user{i:02d}" in html for i in range(1, total))
            counts.append(n)
    assert counts[0] == counts[1], counts
