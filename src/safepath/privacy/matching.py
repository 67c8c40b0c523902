"""Duplicate detection at registration, explainable: who among the persons the actor may see is
likely the person about to be registered, with a score in 0..1 and the reasons for it.

1. Blocking, through the blind indexes only (names and phones are encrypted): the persons who
   share a name token (exact, or its consonant skeleton, so "Mohammed", "Muhammad" and "محمد"
   meet) or the phone's last digits with the new person. Only visible, non-anonymised persons;
   the best-sharing ``MAX_CANDIDATES`` of them.
2. Scoring, on those candidates only: their names, phone, date of birth, age and sex are
   decrypted (each candidate read is audited like any read of personal data) and compared —
   Jaro–Winkler on the name tokens (and on their skeletons, which is how the two scripts
   compare), birth years within ``match_age_tolerance_years``, the phone's last digits, sex.
   A difference in sex or an age beyond the tolerance counts against; a different phone is
   reported but does not (numbers change, and members of a household share one).
3. The candidates at or above ``match_threshold``, best first.

Nothing is written except the audit events of the candidate reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import jellyfish
from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from safepath.privacy import audit, blind_index, policy
from safepath.privacy.actor import Actor
from safepath.privacy.person_schema import PersonIn
from safepath.settings import get_settings
from safepath.store.models.persons import BlindIndex, Person

KIND = "person"
MAX_CANDIDATES = 200  # a very common name can block thousands: keep the best-sharing ones
MAX_MATCHES = 10
MIN_EXACT_TOKEN = 3  # "al", "el", "bn" alone would block half the registry

W_NAME, W_PHONE, W_AGE, W_SEX = 0.55, 0.30, 0.10, 0.05  # a perfect match scores 1
P_SEX, P_AGE = 0.15, 0.10  # counter-evidence
SKELETON_CAP = 0.9  # sounding alike ("Mahmoud" / "Mohammed" share "mhmd") is not the same name
# Articles that are not part of the name proper ("Al-Rashidi", "الرشيدي", "El Haddad").
_PARTICLES = frozenset({"al", "el", "ul"})
_ARABIC_ARTICLE = "ال"
COMPARED_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "phone",
    "sex",
    "age",
    "birth_year",
)

# English wording of each reason; the web pages translate the same kinds.
REASON_TEXT = {
    "same_phone": "same phone",
    "other_phone": "different phone",
    "same_name": "same name",
    "name_similar": "name similar ({score})",
    "same_date_of_birth": "same date of birth",
    "same_age": "same age ({ours})",
    "age": "age {ours} vs {theirs}",
    "born": "born {ours} vs {theirs}",
    "same_sex": "same sex",
    "other_sex": "different sex",
}


@dataclass(frozen=True)
class Reason:
    """One piece of evidence, as a kind (``REASON_TEXT``) and its figures."""

    kind: str
    ours: str = ""
    theirs: str = ""
    score: str = ""

    def text(self) -> str:
        return REASON_TEXT[self.kind].format(ours=self.ours, theirs=self.theirs, score=self.score)


@dataclass(frozen=True)
class Match:
    code: str
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "score": self.score, "reasons": [r.text() for r in self.reasons]}


# --- names -----------------------------------------------------------------------------------
def _is_arabic(token: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in token)


def name_parts(*names: str | None) -> list[str]:
    """The blind index's normalised tokens, without articles."""
    out: list[str] = []
    for name in names:
        for token in blind_index.name_tokens(name or ""):
            if token in _PARTICLES:
                continue
            if token.startswith(_ARABIC_ARTICLE) and len(token) > len(_ARABIC_ARTICLE) + 1:
                token = token[len(_ARABIC_ARTICLE) :]
            out.append(token)
    return out


def token_similarity(a: str, b: str) -> float:
    """1 for the same token; Jaro–Winkler within one script; across scripts (and for spelling
    variants) the Jaro–Winkler of the consonant skeletons, capped below an exact match."""
    if a == b:
        return 1.0
    same_script = _is_arabic(a) == _is_arabic(b)
    spelled = jellyfish.jaro_winkler_similarity(a, b) if same_script else 0.0
    sa, sb = blind_index.skeleton(a), blind_index.skeleton(b)
    sounded = SKELETON_CAP * jellyfish.jaro_winkler_similarity(sa, sb) if sa and sb else 0.0
    return max(spelled, sounded)


def name_similarity(ours: list[str], theirs: list[str]) -> float | None:
    """Each token's best match on the other side, averaged both ways (order-free: given and
    family names swapped still match; a missing middle name costs a little)."""
    if not ours or not theirs:
        return None
    forward = sum(max(token_similarity(a, b) for b in theirs) for a in ours) / len(ours)
    backward = sum(max(token_similarity(b, a) for a in ours) for b in theirs) / len(theirs)
    return (forward + backward) / 2


# --- blocking --------------------------------------------------------------------------------
def _block_entries(data: PersonIn) -> set[tuple[str, str]]:
    entries: set[tuple[str, str]] = set()
    for token in name_parts(data.given_name, data.family_name, data.other_names):
        if len(token) >= MIN_EXACT_TOKEN:
            entries.add(("name", blind_index.digest("name", token)))
        sk = blind_index.skeleton(token)
        if len(sk) >= blind_index.MIN_SKELETON:
            entries.add(("namevar", blind_index.digest("namevar", sk)))
    return entries | blind_index.phone_entries(data.phone)


def _candidates(session: Session, actor: Actor, data: PersonIn) -> list[int]:
    entries = _block_entries(data)
    if not entries:
        return []
    by_kind: dict[str, list[str]] = {}
    for kind, value in entries:
        by_kind.setdefault(kind, []).append(value)
    hits = (
        select(
            BlindIndex.person_id.label("person_id"),
            func.count(distinct(BlindIndex.digest)).label("shared"),
            func.max(case((BlindIndex.kind == "phone", 1), else_=0)).label("phone"),
        )
        .where(
            or_(
                *(
                    and_(BlindIndex.kind == kind, BlindIndex.digest.in_(sorted(values)))
                    for kind, values in by_kind.items()
                )
            )
        )
        .group_by(BlindIndex.person_id)
        .subquery()
    )
    stmt = (
        select(Person.id)
        .join(hits, hits.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None))
        .order_by(hits.c.phone.desc(), hits.c.shared.desc(), Person.id.desc())
        .limit(MAX_CANDIDATES)
    )
    return list(session.scalars(policy.visible(actor, stmt, KIND)).all())


# --- scoring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    """The compared fields of a candidate (only those the actor may receive)."""

    code: str
    created_at: datetime | None
    given_name: str | None
    family_name: str | None
    other_names: str | None
    date_of_birth: str | None
    phone: str | None
    sex: str | None
    age: int | None
    birth_year: int | None


def _birth_year(dob: date | None, age: int | None, birth_year: int | None, at: date) -> int | None:
    if dob is not None:
        return dob.year
    if birth_year is not None:
        return birth_year
    return at.year - age if age is not None else None


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def score_candidate(data: PersonIn, row: _Row, today: date, tolerance: int) -> Match:
    """The score and reasons of one candidate (``row`` carries the compared fields)."""
    reasons: list[Reason] = []
    score = 0.0
    ours_phone, theirs_phone = (blind_index.phone_key(p or "") for p in (data.phone, row.phone))
    if ours_phone and theirs_phone:
        if ours_phone == theirs_phone:
            score += W_PHONE
            reasons.append(Reason("same_phone"))
        else:
            reasons.append(Reason("other_phone"))
    ours_name = name_parts(data.given_name, data.family_name, data.other_names)
    theirs_name = name_parts(row.given_name, row.family_name, row.other_names)
    name = name_similarity(ours_name, theirs_name)
    if name is not None:
        score += W_NAME * name
        if sorted(ours_name) == sorted(theirs_name):
            reasons.append(Reason("same_name"))
        else:
            reasons.append(Reason("name_similar", score=_fmt(name)))
    their_dob = _iso(row.date_of_birth)
    registered = row.created_at.date() if row.created_at else today
    ours_year = _birth_year(data.date_of_birth, data.age, None, today)
    theirs_year = _birth_year(their_dob, row.age, row.birth_year, registered)
    if data.date_of_birth is not None and data.date_of_birth == their_dob:
        score += W_AGE
        reasons.append(Reason("same_date_of_birth"))
    elif ours_year is not None and theirs_year is not None:
        gap = abs(ours_year - theirs_year)
        if gap <= tolerance:
            score += W_AGE * (1 - gap / (tolerance + 1))
        else:
            score -= P_AGE
        if data.age is not None and row.age is not None:
            same = data.age == row.age
            reasons.append(
                Reason("same_age", ours=str(data.age))
                if same
                else Reason("age", ours=str(data.age), theirs=str(row.age))
            )
        elif gap:
            reasons.append(Reason("born", ours=str(ours_year), theirs=str(theirs_year)))
    if data.sex and row.sex:
        if data.sex == row.sex:
            score += W_SEX
            reasons.append(Reason("same_sex"))
        else:
            score -= P_SEX
            reasons.append(Reason("other_sex"))
    return Match(row.code, round(min(1.0, max(0.0, score)), 2), tuple(reasons))


def find(session: Session, actor: Actor, data: PersonIn) -> list[Match]:
    """The likely matches of ``data`` among the persons the actor may see, best first."""
    policy.require(actor, "person.create")  # at registration, by those who register
    ids = _candidates(session, actor, data)
    if not ids:
        return []
    settings = get_settings()
    allowed = policy.allowed_fields(actor, KIND)
    columns = [getattr(Person, f) for f in COMPARED_FIELDS if f in allowed]
    rows = session.execute(
        select(Person.id, Person.code, Person.created_at, *columns).where(Person.id.in_(ids))
    ).all()
    today = datetime.now(UTC).date()
    found: list[Match] = []
    for row in rows:
        audit.record(
            session,
            actor,
            "read",
            KIND,
            row.code,
            person_code=row.code,
            fields=[f for f in COMPARED_FIELDS if f in allowed],
        )
        got = row._mapping  # a field the actor may not receive was not selected: None
        view = _Row(
            code=row.code,
            created_at=row.created_at,
            given_name=got.get("given_name"),
            family_name=got.get("family_name"),
            other_names=got.get("other_names"),
            date_of_birth=got.get("date_of_birth"),
            phone=got.get("phone"),
            sex=got.get("sex"),
            age=got.get("age"),
            birth_year=got.get("birth_year"),
        )
        match = score_candidate(data, view, today, settings.match_age_tolerance_years)
        if match.score >= settings.match_threshold:
            found.append(match)
    found.sort(key=lambda m: (-m.score, m.code))
    return found[:MAX_MATCHES]
