"""Which role sees which page: the one table the navigation (``base.html``), the page routes'
role checks and the landing page after sign-in read. The domain services enforce the rules
again; this table only decides what is offered and where each role starts."""

from __future__ import annotations

from dataclasses import dataclass

from safepath.privacy.actor import Role

R = Role


def N_(message: str) -> str:
    """Marks a label for translation (extracted by Babel; translated when rendered)."""
    return message


@dataclass(frozen=True)
class Item:
    path: str
    label: str
    roles: frozenset[Role]  # who has it in the menu, and may open it
    also_opens: frozenset[Role] = frozenset()  # may open the page without a menu entry

    @property
    def opens(self) -> frozenset[Role]:
        return self.roles | self.also_opens


CASE_STAFF = frozenset({R.caseworker, R.supervisor})
ANALYSTS = frozenset({R.analyst, R.supervisor, R.dp_focal_point, R.admin})
COMPLAINTS = frozenset({R.caseworker, R.supervisor, R.psea_focal_point})  # safepath.feedback
OVERSIGHT = frozenset({R.auditor, R.dp_focal_point, R.admin})

MENU: tuple[Item, ...] = (
    Item("/work", N_("My work"), CASE_STAFF),
    Item("/team", N_("Team"), frozenset({R.supervisor})),
    Item("/cases", N_("Cases"), CASE_STAFF, also_opens=frozenset({R.dp_focal_point})),
    Item("/register", N_("Register"), CASE_STAFF),
    Item("/inbox", N_("Referrals received"), frozenset({R.partner_focal_point, R.supervisor})),
    Item("/analysis/outcomes", N_("Outcomes"), ANALYSTS),
    Item("/analysis/areas", N_("Areas"), ANALYSTS),
    Item("/analysis/rounds", N_("Survey rounds"), ANALYSTS),
    Item("/analysis/paf", N_("Protection analysis"), ANALYSTS),
    Item("/complaints", N_("Complaints"), COMPLAINTS),
    Item("/complaints/report", N_("Complaint reports"), COMPLAINTS | ANALYSTS),
    Item("/advocacy", N_("Advocacy"), CASE_STAFF | {R.analyst, R.dp_focal_point}),
    Item("/projects", N_("Projects"), ANALYSTS | CASE_STAFF),
    Item("/data-protection", N_("Data protection"), frozenset({R.dp_focal_point, R.admin})),
    Item("/admin", N_("Administration"), frozenset({R.admin})),
    Item("/admin/services", N_("Services directory"), frozenset({R.admin})),
    Item("/admin/places", N_("Places"), frozenset({R.admin})),
    # data protection and oversight (web/pages/subjects.py, web/pages/oversight.py)
    Item("/privacy/subjects", N_("Data-subject requests"), frozenset({R.dp_focal_point})),
    Item("/audit", N_("Audit trail"), OVERSIGHT - {R.admin}),
    Item("/audit/verify", N_("Audit verification"), OVERSIGHT),
    Item("/keys", N_("Encryption keys"), OVERSIGHT),
    Item("/retention", N_("Retention"), OVERSIGHT),
    Item("/account", N_("Your account"), frozenset(Role)),
)
_BY_PATH = {item.path: item for item in MENU}

# Where each role lands after signing in (its first page of work).
START: dict[Role, str] = {
    R.caseworker: "/work",
    R.supervisor: "/work",
    R.partner_focal_point: "/inbox",
    R.analyst: "/analysis/outcomes",
    R.dp_focal_point: "/analysis/outcomes",
    R.admin: "/admin",
    R.auditor: "/audit",
    R.psea_focal_point: "/complaints",
}


def items_for(role: Role | str) -> list[Item]:
    """The menu of a role, in order."""
    r = Role(role)
    return [item for item in MENU if r in item.roles]


def opens(path: str) -> frozenset[Role]:
    """The roles that may open the page at ``path`` (a ``KeyError`` for a path not listed)."""
    return _BY_PATH[path].opens


def start(role: Role) -> str:
    return START.get(role, "/account")
