"""A staff member's work contact (phone, email): what a partner sees on a referral to reach the
caseworker who sent it. Staff data, not a data subject's: set by the user on their account page,
or by an admin of their agency; audited (the fields, never the values)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from safepath.errors import Forbidden, Problem, ValidationFailed
from safepath.privacy import audit, identity
from safepath.privacy.actor import Actor, Role
from safepath.store.models import User

PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,38}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,100}@[^@\s<>\"']{1,98}\.[^@\s<>\"'.]{2,}$")


def _clean(phone: str | None, email: str | None) -> tuple[str | None, str | None]:
    phone = (phone or "").strip() or None
    email = (email or "").strip() or None
    problems = []
    if phone is not None and not PHONE.match(phone):
        problems.append(
            Problem(
                "work_phone: digits, spaces and + - ( ) . / only, 5 to 40 characters",
                scope="body",
                column="work_phone",
                value=phone,
            )
        )
    if email is not None and (len(email) > 200 or not EMAIL.match(email)):
        problems.append(
            Problem(
                "work_email: an address such as name@agency.org",
                scope="body",
                column="work_email",
                value=email,
            )
        )
    if problems:
        raise ValidationFailed("; ".join(p.message for p in problems), problems=problems)
    return phone, email


def set_contact(
    session: Session, actor: Actor, username: str, phone: str | None, email: str | None
) -> User:
    """Set (or clear, when blank) ``username``'s work phone and email: the user themself, or an
    admin of the same agency."""
    user = identity.find_user(session, username)
    if user.id != actor.user_id:
        if actor.role is not Role.admin:
            raise Forbidden("only an admin sets another user's work contact")
        if user.organisation_id != actor.agency_id:
            raise Forbidden("you manage the users of your own agency only")
    user.work_phone, user.work_email = _clean(phone, email)
    session.flush()
    audit.record(session, actor, "user_admin", "user", user.id, fields=("work_phone", "work_email"))
    return user
