"""Who may call which route: the table the access-matrix test checks against the live app.

Every route of the app needs a rule here (``tests/privacy/test_access_matrix.py`` generates the
matrix from ``app.routes`` and fails on a route without one). Adding a route? Add a line:

    ("GET", f"{API}/things/{{code}}"): roles(*CASE_STAFF, hidden=[R.partner_focal_point]),

- ``public()``: anyone, signed in or not.
- ``signed_in()``: any role; anonymous gets 401.
- ``roles(*allowed, hidden=...)``: the allowed roles succeed; ``hidden`` roles pass the role check
  but the record is outside their scope (404); every other role gets 403; anonymous 401.
- ``page()`` / ``page_login()`` / ``page_csrf()``: server-rendered pages: public, redirecting
  to /login, or a form refused without its CSRF token.

Write routes: ``.with_body({...})`` gives the test a valid body. Path parameters are filled by
``PATH_PARAMS`` / ``CODE_FACTORIES`` in the test (``{code}`` under ``/persons/`` is a person of
agency A; add a factory for your collection there).

A caseworker of another agency gets 404 on every route that names a record the caller's own
caseworkers may reach (the test checks that too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from safepath.privacy.actor import Role

R = Role
ANONYMOUS = "anonymous"
SURVEY_ROLES = (R.analyst, R.supervisor, R.dp_focal_point, R.admin)


class Outcome(StrEnum):
    allow = "allow"
    unauthenticated = "401"
    forbidden = "403"
    not_found = "404"
    login_redirect = "login_redirect"


@dataclass(frozen=True)
class Rule:
    outcomes: Mapping[str, Outcome]  # role value or ANONYMOUS -> outcome
    page: bool = False  # cookie-authenticated page: only the anonymous outcome is checked
    # A valid JSON body for write routes, so "allow" is checked as a real success (without one,
    # 422 also counts as allowed: authorisation runs before body validation).
    body: Mapping[str, Any] | None = field(default=None, compare=False)

    def with_body(self, body: Mapping[str, Any]) -> Rule:
        return Rule(self.outcomes, self.page, body)

    def expected(self, who: str) -> Outcome:
        return self.outcomes[who]


def public() -> Rule:
    return Rule({ANONYMOUS: Outcome.allow, **{r.value: Outcome.allow for r in Role}})


def signed_in() -> Rule:
    return Rule({ANONYMOUS: Outcome.unauthenticated, **{r.value: Outcome.allow for r in Role}})


def roles(*allowed: Role, hidden: Iterable[Role] = ()) -> Rule:
    hide = set(hidden)
    out: dict[str, Outcome] = {ANONYMOUS: Outcome.unauthenticated}
    for r in Role:
        if r in allowed:
            out[r.value] = Outcome.allow
        elif r in hide:
            out[r.value] = Outcome.not_found
        else:
            out[r.value] = Outcome.forbidden
    return Rule(out)


def page() -> Rule:
    return Rule({ANONYMOUS: Outcome.allow}, page=True)


def page_csrf() -> Rule:
    """A page form: anonymous posting without the CSRF token is refused (403)."""
    return Rule({ANONYMOUS: Outcome.forbidden}, page=True)


def page_login() -> Rule:
    return Rule({ANONYMOUS: Outcome.login_redirect}, page=True)


CASE_STAFF = (R.caseworker, R.supervisor)
API = "/api/v1"


def _case_routes() -> dict[tuple[str, str], Rule]:
    staff = CASE_STAFF
    read = (*CASE_STAFF, R.dp_focal_point)
    sup = (R.supervisor,)
    case = f"{API}/cases/{{code}}"
    ref = f"{API}/referrals/{{code}}"
    return {
        ("GET", f"{API}/cases"): roles(*read),
        ("POST", f"{API}/cases"): roles(*staff),
        ("GET", f"{API}/cases/overdue"): roles(*read),
        ("GET", case): roles(*read, hidden=[R.partner_focal_point]),
        ("PATCH", case): roles(*staff),
        ("POST", f"{case}/assignment"): roles(*sup),
        ("GET", f"{case}/assessments"): roles(*read),
        ("POST", f"{case}/assessments"): roles(*staff),
        ("GET", f"{case}/plan"): roles(*read),
        ("PUT", f"{case}/plan"): roles(*staff),
        ("POST", f"{case}/plan/approval"): roles(*sup),
        ("POST", f"{case}/interventions/{{number}}/progress"): roles(*staff),
        ("GET", f"{case}/closure"): roles(*read),
        ("POST", f"{case}/closure"): roles(*staff),
        ("POST", f"{case}/closure/approval"): roles(*sup),
        ("POST", f"{case}/closure/rejection"): roles(*sup),
        ("POST", f"{case}/reopening"): roles(*sup),
        ("GET", f"{case}/follow-ups"): roles(*read),
        ("POST", f"{case}/follow-ups"): roles(*staff),
        ("GET", f"{case}/referrals"): roles(*read),
        ("POST", f"{case}/referrals"): roles(*staff),
        ("GET", f"{API}/referrals"): roles(R.partner_focal_point, R.supervisor),
        ("GET", ref): roles(*read, hidden=[R.partner_focal_point]),
        ("POST", f"{ref}/accept"): roles(hidden=[R.partner_focal_point]),
        ("POST", f"{ref}/decline"): roles(hidden=[R.partner_focal_point]),
        ("POST", f"{ref}/complete"): roles(hidden=[R.partner_focal_point]),
        ("POST", f"{ref}/revoke"): roles(*staff),
        ("GET", f"{API}/outcomes"): roles(
            R.admin, R.dp_focal_point, R.supervisor, R.caseworker, R.analyst
        ),
        # survey forms and rounds: the analysts (safepath.rounds.access); the matrix world holds
        # no round, so a lookup by name answers 404 to them, 403 to every other role
        ("GET", f"{API}/surveys/forms"): roles(*SURVEY_ROLES),
        ("POST", f"{API}/surveys/forms"): roles(*SURVEY_ROLES),
        ("GET", f"{API}/surveys/rounds"): roles(*SURVEY_ROLES),
        ("GET", f"{API}/surveys/rounds/{{round_name}}"): roles(hidden=SURVEY_ROLES),
        ("POST", f"{API}/surveys/rounds/{{round_name}}/imports"): roles(*SURVEY_ROLES),
        # exports through the disclosure policy, and its measures (safepath.rounds.sdc)
        ("GET", f"{API}/surveys/rounds/{{round_name}}/export"): roles(hidden=SURVEY_ROLES),
        ("POST", f"{API}/sdc/risk"): roles(*SURVEY_ROLES),
        ("POST", f"{API}/sdc/anonymise"): roles(*SURVEY_ROLES),
        # trends and alerts between stored rounds: the same analysts, the same 404 for a round
        # the world does not hold
        ("GET", f"{API}/analysis/rounds/{{round_name}}/trends"): roles(hidden=SURVEY_ROLES),
        ("GET", f"{API}/analysis/rounds/{{round_name}}/alerts"): roles(hidden=SURVEY_ROLES),
    }


COMPLAINT_BODY = {"channel": "hotline", "category": "assistance_quality", "description": "Late"}


def _complaint_routes() -> dict[tuple[str, str], Rule]:
    """Complaints (safepath.feedback): anyone may send one; the agency's complaint handlers see
    them, except the sensitive ones (the PSEA focal point's alone). A complaint the caller may
    not see answers 404 to every role. Reports are aggregates; the register has no free text."""
    handle = (*CASE_STAFF, R.psea_focal_point)
    others = [r for r in Role if r not in handle]
    one = f"{API}/complaints/{{code}}"
    return {
        ("POST", f"{API}/complaints"): public().with_body(COMPLAINT_BODY),
        ("GET", f"{API}/complaints"): roles(*handle),
        ("GET", f"{API}/complaints/report"): roles(*handle, R.dp_focal_point, R.analyst, R.admin),
        ("GET", f"{API}/complaints/export"): roles(R.supervisor, R.psea_focal_point),
        ("GET", one): roles(*handle, hidden=others),
        ("POST", f"{one}/acknowledgement"): roles(*handle, hidden=others),
        ("POST", f"{one}/assignment"): roles(R.supervisor, R.psea_focal_point).with_body(
            {"assignee": "supervisor.a"}
        ),
        ("POST", f"{one}/response"): roles(*handle, hidden=others).with_body(
            {"response": "We will deliver next week."}
        ),
        ("POST", f"{one}/closure"): roles(*handle, hidden=others).with_body(
            {"feedback_given": "Called back."}
        ),
        ("POST", f"{one}/category"): roles(*handle, hidden=others).with_body(
            {"category": "information_request"}
        ),
        # the PSEA focal point names who takes the case (case staff may, default: themselves)
        ("POST", f"{one}/case"): roles(*handle).with_body(
            {
                "consent_case_management": True,
                "thematic_areas": ["gbv"],
                "caseworker": "caseworker.a",
            }
        ),
    }


ISSUE_BODY = {
    "title": "Access to civil registration",
    "duty_bearer": "Ministry of Interior",
    "duty_bearer_level": "national",
    "rights": ["access_to_justice"],
}


def _advocacy_routes() -> dict[tuple[str, str], Rule]:
    """The advocacy log (safepath.advocacy): the agency's protection staff read it, supervisors
    and analysts keep it; an area's page adds the cases aggregated by the outcome scope."""
    read = (*CASE_STAFF, R.analyst, R.dp_focal_point)
    keep = (R.supervisor, R.analyst)
    one = f"{API}/advocacy/{{code}}"
    action = {"kind": "meeting", "taken_on": "2026-01-10", "description": "Met the director"}
    return {
        ("GET", f"{API}/advocacy"): roles(*read),
        ("POST", f"{API}/advocacy"): roles(*keep).with_body(ISSUE_BODY),
        ("GET", one): roles(*read),
        ("PATCH", one): roles(*keep).with_body({"summary": "Raised with the new director"}),
        ("POST", f"{one}/actions"): roles(*keep).with_body(action),
        ("PATCH", f"{one}/actions/{{action_id}}"): roles(*keep).with_body(
            {"response": "Agreed to meet monthly", "response_on": "2026-01-20"}
        ),
        ("POST", f"{one}/status"): roles(*keep).with_body({"status": "achieved"}),
        ("GET", f"{API}/areas/{{pcode}}"): roles(*read),
    }


PROJECT_BODY = {"name": "Shelter", "programming_type": "integration", "pillars": ["capacity"]}


def _checklist() -> dict[str, Any]:
    from safepath.framework import catalogue

    cat = catalogue()
    return {
        "assessed_on": "2025-11-01",
        "scores": [
            {"principle": p, "stage": s, "score": 2}
            for p in cat.codes("mainstreaming_principles")
            for s in cat.codes("project_cycle_stages")
        ],
    }


def _project_routes() -> dict[tuple[str, str], Rule]:
    """Projects and mainstreaming self-assessments (safepath.mainstreaming): the agency's staff
    read them, supervisors and analysts keep them."""
    read = (*CASE_STAFF, R.analyst, R.dp_focal_point, R.admin)
    keep = (R.supervisor, R.analyst)
    one = f"{API}/projects/{{code}}"
    return {
        ("GET", f"{API}/projects"): roles(*read),
        ("POST", f"{API}/projects"): roles(*keep).with_body(PROJECT_BODY),
        ("GET", one): roles(*read),
        ("PATCH", one): roles(*keep).with_body({"pillars": ["advocacy", "capacity"]}),
        ("POST", f"{one}/assessments"): roles(*keep).with_body(_checklist()),
        ("GET", f"{one}/progress"): roles(*read),
        ("GET", f"{API}/mainstreaming/rollup"): roles(*read),
        ("GET", f"{API}/roadmap/pillars"): roles(*read),
    }


def _attachment_routes() -> dict[tuple[str, str], Rule]:
    """Files on a case (safepath.cases.attachments): the agency's internal case roles read them,
    case workers add and delete them; partners never (403, even on a case referred to them)."""
    read = (*CASE_STAFF, R.dp_focal_point)
    files = f"{API}/cases/{{code}}/attachments"
    return {
        ("GET", files): roles(*read),
        ("POST", files): roles(*CASE_STAFF),
        ("GET", f"{files}/{{attachment}}"): roles(*read),
        ("DELETE", f"{files}/{{attachment}}"): roles(*CASE_STAFF),
        # the case page's section (web/pages/attachments.py)
        ("POST", "/cases/{code}/attachments"): page_login(),
        ("GET", "/cases/{code}/attachments/{attachment}"): page_login(),
        ("POST", "/cases/{code}/attachments/{attachment}/delete"): page_login(),
    }


ROUTES: dict[tuple[str, str], Rule] = {
    # documentation, health and the framework catalogue (public reference data)
    ("GET", f"{API}/openapi.json"): public(),
    ("GET", f"{API}/docs"): public(),
    ("GET", f"{API}/docs/init.js"): public(),
    ("GET", "/healthz"): public(),
    ("GET", f"{API}/framework"): public(),
    ("GET", f"{API}/framework/{{name}}"): public(),
    # places and the services directory (operational, not personal)
    ("GET", f"{API}/places"): signed_in(),
    ("GET", f"{API}/places/{{pcode}}"): signed_in(),
    ("GET", f"{API}/organisations"): signed_in(),
    ("GET", f"{API}/services"): signed_in(),
    # authentication
    ("POST", f"{API}/auth/token"): public(),
    ("POST", f"{API}/auth/revoke"): signed_in(),
    ("GET", f"{API}/auth/me"): signed_in(),
    # persons: analysts see pseudonymised records (with consent to analysis); partners only
    # persons referred to them (none here, hence 404)
    ("POST", f"{API}/persons"): roles(*CASE_STAFF).with_body(
        {"given_name": "New", "sex": "male", "age": 40}
    ),
    # duplicate detection at registration: by those who register, nothing written
    ("POST", f"{API}/persons/matches"): roles(*CASE_STAFF).with_body(
        {"given_name": "New", "sex": "male", "age": 40}
    ),
    ("GET", f"{API}/persons"): roles(
        *CASE_STAFF, R.dp_focal_point, R.analyst, R.partner_focal_point
    ),
    ("GET", f"{API}/persons/{{code}}"): roles(
        *CASE_STAFF, R.dp_focal_point, R.analyst, hidden=[R.partner_focal_point]
    ),
    ("PATCH", f"{API}/persons/{{code}}"): roles(*CASE_STAFF).with_body({"age": 41}),
    ("GET", f"{API}/persons/{{code}}/export"): roles(R.dp_focal_point),
    ("POST", f"{API}/persons/{{code}}/erase"): roles(R.dp_focal_point),
    ("GET", f"{API}/persons/{{code}}/consents"): roles(*CASE_STAFF, R.dp_focal_point),
    ("POST", f"{API}/persons/{{code}}/consents"): roles(*CASE_STAFF).with_body(
        {"purpose": "referral_sharing"}
    ),
    ("POST", f"{API}/persons/{{code}}/consents/{{purpose}}/withdraw"): roles(*CASE_STAFF),
    # users and role grants: admins, of their own agency (the grant factory: test_access_matrix)
    ("POST", f"{API}/users"): roles(R.admin).with_body(
        {"username": "new.user", "password": "tern lagoon 123 quartz", "role": "auditor"}
    ),
    ("GET", f"{API}/role-grants"): roles(R.admin),
    ("POST", f"{API}/role-grants/{{grant_id}}/approval"): roles(R.admin),
    ("POST", f"{API}/role-grants/{{grant_id}}/rejection"): roles(R.admin),
    # audit trail
    ("GET", f"{API}/audit/events"): roles(R.dp_focal_point, R.auditor),
    ("GET", f"{API}/audit/verify"): roles(R.dp_focal_point, R.auditor, R.admin),
    # cases (safepath.cases): staff of the agency; partners only through referrals (404 for a
    # case not referred to them); analysts and admins get aggregates (outcomes) only
    **_case_routes(),
    **_complaint_routes(),
    **_advocacy_routes(),
    **_project_routes(),
    **_attachment_routes(),
    # pages
    ("GET", "/"): page(),
    ("GET", "/catalogue"): page(),
    ("GET", "/catalogue/{name}"): page(),
    ("GET", "/login"): page(),
    ("POST", "/login"): page_csrf(),
    ("POST", "/logout"): page_csrf(),
    ("GET", "/account"): page_login(),
    ("POST", "/account/language"): page_login(),  # then the session's CSRF token
    ("POST", "/account/contact"): page_login(),
    # the public complaint form (safepath.feedback): no account, a double-submit CSRF cookie
    ("GET", "/feedback"): page(),
    ("POST", "/feedback"): page_csrf(),
    # pages of safepath.web: each needs a signed-in user (forms check their CSRF token after
    # that), so an anonymous caller of any of them is sent to /login
    **{
        route: page_login()
        for route in (
            ("GET", "/work"),
            ("GET", "/cases"),
            ("GET", "/team"),
            ("GET", "/register"),
            ("POST", "/register"),
            ("GET", "/forms/screening"),
            ("POST", "/forms/screening"),
            ("GET", "/cases/{code}"),
            ("GET", "/cases/{code}/assess"),
            ("POST", "/cases/{code}/assess"),
            ("POST", "/cases/{code}/plan"),
            ("POST", "/cases/{code}/plan/approve"),
            ("POST", "/cases/{code}/refer"),
            ("POST", "/cases/{code}/follow-up"),
            ("POST", "/cases/{code}/close"),
            ("POST", "/cases/{code}/close/approve"),
            ("POST", "/cases/{code}/close/reject"),
            ("POST", "/cases/{code}/assign"),
            ("POST", "/cases/{code}/referrals/{ref}/revoke"),
            ("POST", "/cases/{code}/reopen"),
            ("POST", "/cases/{code}/interventions/{number}/progress"),
            ("GET", "/inbox"),
            ("GET", "/referrals/{code}"),
            ("POST", "/referrals/{code}/accept"),
            ("POST", "/referrals/{code}/decline"),
            ("POST", "/referrals/{code}/complete"),
            ("GET", "/analysis/outcomes"),
            ("GET", "/analysis/areas"),
            ("POST", "/analysis/areas"),
            ("GET", "/analysis/rounds"),
            ("GET", "/data-protection"),
            ("GET", "/analysis/paf"),  # analyst roles (rounds.access, menu ANALYSTS)
            ("GET", "/analysis/paf/report.html"),
            ("GET", "/analysis/paf/report.pdf"),
            ("GET", "/analysis/paf/areas.csv"),
            # the upload, its progress page and the problems CSVs: the same analyst roles as
            # the rounds page (checked in safepath.web.pages.rounds, tests/surveys)
            ("POST", "/analysis/rounds/imports"),
            ("GET", "/analysis/rounds/imports/{job}"),
            ("GET", "/analysis/rounds/imports/{job}/problems.csv"),
            ("GET", "/analysis/rounds/problems.csv"),
            ("GET", "/admin"),
            ("POST", "/admin/users"),
            ("POST", "/admin/users/{username}/disable"),
            ("POST", "/admin/users/{username}/enable"),
            ("POST", "/admin/users/{username}/password"),
            ("POST", "/admin/users/{username}/contact"),
            ("POST", "/admin/grants/{grant_id}/approve"),
            ("POST", "/admin/grants/{grant_id}/reject"),
            # the services directory and places (admins; web/pages/directory_admin.py)
            ("GET", "/admin/services"),
            ("POST", "/admin/services"),
            ("GET", "/admin/places"),
            ("POST", "/admin/places/import"),
            ("GET", "/complaints"),
            ("POST", "/complaints"),
            ("GET", "/complaints/report"),
            ("GET", "/complaints/{code}"),
            ("POST", "/complaints/{code}/{step}"),
            ("GET", "/advocacy"),
            ("POST", "/advocacy"),
            ("GET", "/advocacy/{code}"),
            ("POST", "/advocacy/{code}/{step}"),
            ("GET", "/areas/{pcode}"),
            ("GET", "/projects"),
            ("POST", "/projects"),
            ("GET", "/projects/{code}"),
            ("POST", "/projects/{code}/assessments"),
            ("POST", "/projects/{code}/edit"),
            # consent panel of the case (case staff write, dp focal point reads)
            ("POST", "/cases/{code}/consent"),
            ("POST", "/cases/{code}/consent/{purpose}/withdraw"),
            # data-subject requests (dp focal point; web/pages/subjects.py)
            ("GET", "/privacy/subjects"),
            ("GET", "/privacy/subjects/{code}"),
            ("GET", "/privacy/subjects/{code}/export"),
            ("GET", "/privacy/subjects/{code}/erase"),
            ("POST", "/privacy/subjects/{code}/erase"),
            # oversight (auditor, dp focal point, admin; web/pages/oversight.py)
            ("GET", "/audit"),
            ("GET", "/audit/verify"),
            ("GET", "/keys"),
            ("GET", "/retention"),
            ("POST", "/retention"),
        )
    },
}
