"""The access matrix: every route of the app × every role, anonymous, and a caseworker of another
agency → the outcome ``safepath.privacy.routes_policy.ROUTES`` promises. Routes are read from the
live app, so a route without a rule fails here; analysts' responses are also checked for
identifiers on every route."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fastapi import FastAPI
from tests.apps import shared_app
from tests.cases.matrix_records import case_request
from tests.feedback.matrix_records import accountability_request
from tests.privacy.conftest import AGENCY_A, PASSWORD, TestClient, World

from safepath.privacy import identity, persons
from safepath.privacy.actor import Role
from safepath.privacy.person_schema import PersonIn
from safepath.privacy.routes_policy import ANONYMOUS, ROUTES, Outcome, Rule
from safepath.store.db import session_scope
from safepath.store.models import Place, RoleGrant

SECRETS = ("Zyxwvutsr", "Qplmokn", "7788 9911", "77889911", "1988-03-04", "QX-558822")
WHO = [ANONYMOUS, *(r.value for r in Role), "other_agency"]


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    try:  # FastAPI >= 0.16x includes routers lazily; this walks them with their full paths
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is already flat
        routes: Iterable[Any] = app.routes
    else:
        routes = iter_route_contexts(app.routes)
    found: set[tuple[str, str]] = set()
    for route in routes:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))
    return sorted(found)


ROUTES_OF_APP = app_routes(shared_app())


def test_every_route_has_a_rule_and_every_rule_a_route() -> None:
    missing = [r for r in ROUTES_OF_APP if r not in ROUTES]
    assert missing == [], f"add rules to safepath.privacy.routes_policy.ROUTES for {missing}"
    stale = [r for r in ROUTES if r not in ROUTES_OF_APP]
    assert stale == [], f"rules for routes that no longer exist: {stale}"
    assert len(ROUTES_OF_APP) >= 30


def _person_code(world: World) -> str:
    with session_scope() as s:
        out = persons.create(
            s,
            world.actors["caseworker"],
            PersonIn.model_validate(
                {
                    "given_name": "Zyxwvutsr",
                    "family_name": "Qplmokn",
                    "phone": "+961 7788 9911",
                    "date_of_birth": "1988-03-04",
                    "documents": [{"type": "passport", "number": "QX-558822"}],
                    "sex": "female",
                    "consents": [{"purpose": "analysis"}, {"purpose": "case_management"}],
                }
            ),
        )
    return str(out["code"])


# ``{code}`` names a different record under each collection: one factory per path prefix.
CODE_FACTORIES: dict[str, Callable[[World], str]] = {
    "/api/v1/persons/": lambda world: _person_code(world),
    # pages (safepath.web): only the anonymous outcome is checked, before any lookup
    "/cases/": lambda world: "CS-ANY",
    "/referrals/": lambda world: "RF-ANY",
    "/complaints/": lambda world: "CP-ANY",
    "/advocacy/": lambda world: "AD-ANY",
    "/projects/": lambda world: "PJ-ANY",
    "/privacy/subjects/": lambda world: "P-ANY",
}


def _code_for(world: World, path: str) -> str:
    for prefix, factory in CODE_FACTORIES.items():
        if path.startswith(prefix):
            return factory(world)
    pytest.fail(f"no record factory for {{code}} in {path}: add one to CODE_FACTORIES")


_GRANTS = itertools.count(1)


def _grant_id(world: World, path: str) -> str:
    """A role grant of agency A, pending, asked for by another admin than the one calling."""
    n = next(_GRANTS)
    with session_scope() as s:
        asker = identity.add_user(s, f"asker{n}.a", Role.admin, AGENCY_A, PASSWORD)
        user = identity.add_user(s, f"granted{n}.a", Role.caseworker, AGENCY_A, PASSWORD)
        user.disabled = True
        grant = RoleGrant(
            user_id=user.id,
            organisation_id=user.organisation_id,
            role=user.role,
            status="pending",
            requested_by_user_id=asker.id,
        )
        s.add(grant)
        s.flush()
        return str(grant.id)


# Path parameter -> a value the route can find (add factories for new parameters here).
PATH_PARAMS: dict[str, Callable[[World, str], str]] = {
    "{code}": _code_for,
    "{name}": lambda world, path: "gpc_risks",
    "{pcode}": lambda world, path: "XM",
    "{purpose}": lambda world, path: "analysis",
    "{username}": lambda world, path: "caseworker.a",
    "{grant_id}": _grant_id,
    "{ref}": lambda world, path: "RF-ANY",  # pages: only the anonymous outcome is checked
    "{step}": lambda world, path: "acknowledge",
    "{round_name}": lambda world, path: "msna-2024",
    "{job}": lambda world, path: "no-such-import-job",  # pages: only the anonymous outcome
    "{attachment}": lambda world, path: "AT-ANY",  # pages: only the anonymous outcome
    "{number}": lambda world, path: "1",  # an intervention's number in its case's plan
}


def _request(
    world: World, rule: Rule, method: str, path: str, who: str, reads: dict[str, str]
) -> dict[str, Any]:
    case = case_request(world.actors, method, path, who)  # case routes: tests/cases
    if case is not None:  # a record in the state the route needs, and a valid body
        url = path
        for param, value in case.params.items():
            url = url.replace(param, value)
        headers = {} if who == ANONYMOUS else {"Authorization": f"Bearer {world.token(who)}"}
        case_sent: dict[str, Any] = {
            "method": method,
            "url": url,
            "headers": headers | case.headers,
            "json": case.json,
        }
        return case_sent | ({"files": case.files} if case.files else {})
    complaint = accountability_request(world.actors, method, path, who)  # tests/feedback
    if complaint is not None:
        headers = {} if who == ANONYMOUS else {"Authorization": f"Bearer {world.token(who)}"}
        url = path
        for param, value in complaint.params.items():
            url = url.replace(param, value)
        sent: dict[str, Any] = {
            "method": method,
            "url": url,
            "headers": headers | complaint.headers,
        }
        if rule.body is not None:
            sent["json"] = dict(rule.body)
        return sent
    url = path
    for param in re.findall(r"\{[^}]+\}", path):
        if method == "GET":  # reads share one record; writes get a fresh one each
            value = reads.setdefault(param, PATH_PARAMS[param](world, path))
        else:
            value = PATH_PARAMS[param](world, path)
        url = url.replace(param, value)
    headers = {} if who == ANONYMOUS else {"Authorization": f"Bearer {world.token(who)}"}
    req: dict[str, Any] = {"method": method, "url": url, "headers": headers}
    if rule.body is not None:
        req["json"] = dict(rule.body)
    if method == "PATCH":
        headers["If-Match"] = '"1"'
    if path == "/api/v1/auth/token":
        req["data"] = {"username": "caseworker.a", "password": PASSWORD}
    return req


def _expected(rule: Rule, who: str, path: str) -> Outcome:
    if who != "other_agency":
        return rule.expected(who)
    own = rule.expected(Role.caseworker.value)
    return Outcome.not_found if "{code}" in path and own is Outcome.allow else own


def _check(rule: Rule, method: str, outcome: Outcome, status: int, headers: Any) -> bool:
    if outcome is Outcome.allow:
        no_sample = rule.body is None and method in ("POST", "PUT", "PATCH")
        return status < 400 or (no_sample and status == 422)
    if outcome is Outcome.login_redirect:
        return status == 303 and headers.get("location", "").startswith("/login")
    if outcome is Outcome.unauthenticated:
        return status == 401 and headers.get("www-authenticate") == "Bearer"
    return status == int(outcome.value)


@pytest.mark.parametrize(
    ("method", "path"), ROUTES_OF_APP, ids=[f"{m} {p}" for m, p in ROUTES_OF_APP]
)
def test_route_matrix(client: TestClient, world: World, method: str, path: str) -> None:
    rule = ROUTES[(method, path)]
    with session_scope() as s:
        s.add(Place(pcode="XM", level=0, country="XMR", name="Test country"))
    failures = []
    reads: dict[str, str] = {}
    for who in [ANONYMOUS] if rule.page else WHO:
        expected = _expected(rule, who, path)
        r = client.request(
            **_request(world, rule, method, path, who, reads), follow_redirects=False
        )
        if not _check(rule, method, expected, r.status_code, r.headers):
            failures.append(f"{who}: expected {expected.value}, got {r.status_code} {r.text[:200]}")
        if r.status_code in (401, 403, 404) and path.startswith("/api/"):
            assert set(r.json()["error"]) >= {"code", "message"}  # the one error shape
        if who == Role.analyst.value:
            leaked = [secret for secret in SECRETS if secret in r.text]
            assert leaked == [], f"analyst received {leaked} from {method} {path}"
    assert failures == []
