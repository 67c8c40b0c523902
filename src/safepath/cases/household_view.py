"""A household as the case page shows it: its members the viewer may see (through the persons
registry: scope, redaction, audit) and each member's cases within the viewer's access."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access
from safepath.privacy import households, persons
from safepath.privacy.actor import Actor
from safepath.store.models.cases import Case

MAX_MEMBERS = 50  # a household larger than this is a data error; the page says how many more


@dataclass(frozen=True)
class MemberCase:
    code: str
    status: str
    risk_level: str | None


@dataclass(frozen=True)
class Member:
    code: str
    given_name: str | None
    family_name: str | None
    sex: str | None
    age: int | None
    cases: list[MemberCase]


@dataclass(frozen=True)
class HouseholdView:
    code: str
    size: int  # every member in the agency, including those the viewer does not see
    members: list[Member]  # those the viewer sees

    @property
    def hidden(self) -> int:
        return max(self.size - len(self.members), 0)


def household(session: Session, actor: Actor, code: str | None) -> HouseholdView | None:
    """``None`` when the person belongs to no household (or to none of the viewer's agency)."""
    if not code or households.find(session, actor, code) is None:
        return None
    seen = persons.search(session, actor, household=code, limit=MAX_MEMBERS)["items"]
    codes = [p["code"] for p in seen]
    rows = session.execute(
        access.scope_cases(
            actor,
            select(Case.person_code, Case.code, Case.status, Case.risk_level)
            .where(Case.person_code.in_(codes))
            .order_by(Case.id),
        )
    ).all()
    by_person: dict[str, list[MemberCase]] = {}
    for person_code, case_code, status, level in rows:
        by_person.setdefault(person_code, []).append(MemberCase(case_code, status, level))
    members = [
        Member(
            p["code"],
            p.get("given_name"),
            p.get("family_name"),
            p.get("sex"),
            p.get("age"),
            by_person.get(p["code"], []),
        )
        for p in sorted(seen, key=lambda p: p["code"])
    ]
    return HouseholdView(code, households.size(session, actor, code), members)
