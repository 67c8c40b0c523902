"""The data inventory: for every stored text column (strings, text, JSON, encrypted text), whether
it is **personal** (identifies or describes a person: blanked by erasure, carried by the
data-subject export) or **safe** (kept by erasure, with the reason it identifies nobody).

One declaration per model. The models privacy owns, and the reference data (places, directory,
area profiles) which hold no person data at all, are declared here; other layers declare theirs
when they are wired (``declare``; cases does in ``safepath.cases.hooks``). Erasure and the export
read ``personal_columns`` (persons here, case records in cases), and
``tests/privacy/test_inventory.py`` walks every mapped model and fails on a text column that is
in neither list, so a new column cannot slip past erasure unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator, TypeEngine

from safepath.store.models import (
    ApiToken,
    AreaPhase,
    AreaProfileRow,
    AuditEvent,
    LoginThrottle,
    Organisation,
    Place,
    PlaceBoundary,
    RoleGrant,
    Service,
    ServiceCoverage,
    Team,
    User,
    WebSession,
)
from safepath.store.models.households import Household
from safepath.store.models.persons import (
    ENCRYPTED_PERSON_FIELDS,
    BlindIndex,
    Consent,
    IndexScheme,
    Person,
)
from safepath.store.models.surveys import SurveyForm, SurveyImport, SurveyRound


@dataclass(frozen=True)
class TextColumns:
    personal: tuple[str, ...] = ()
    safe: Mapping[str, str] = field(default_factory=dict)  # column -> why it identifies nobody


CODE = "a pseudonymous or reference code"
CODED = "a coded value from the catalogue"
STAFF = "about staff accounts and their actions, not about the persons helped"
REFERENCE = "reference data about places and services, not about persons"
SECRET_HASH = "a hash of a secret (never the secret itself)"
AUDIT = ("username", "role", "ip", "action", "record_type", "record_id", "fields")

INVENTORY: dict[type[Any], TextColumns] = {
    Person: TextColumns(
        # identifiers and free text; the household code links the members of a family
        personal=(*ENCRYPTED_PERSON_FIELDS, "household_code"),
        safe={
            "code": CODE,
            "sex": CODED,
            "nationality": "ISO 3166 country code",
            "languages": "ISO language codes",
            "population_group": CODED,
            "washington_group": "coded disability answers, kept without identifiers for statistics",
            "place_pcode": CODE,
        },
    ),
    Consent: TextColumns(safe={"purpose": CODED, "given_by": "person or guardian"}),
    Household: TextColumns(safe={"code": CODE}),
    BlindIndex: TextColumns(
        safe={
            "kind": "which index (name, name variant, phone)",
            "digest": "a keyed hash; the rows are deleted when the person is erased",
        }
    ),
    IndexScheme: TextColumns(safe={"name": "the name of an index scheme"}),
    AuditEvent: TextColumns(
        safe={
            **dict.fromkeys(AUDIT, STAFF),
            "person_code": CODE,
            "prev_hash": "the hash chain",
            "hash": "the hash chain",
        }
    ),
    User: TextColumns(
        safe={
            "username": STAFF,
            "password_hash": SECRET_HASH,
            "role": STAFF,
            "language": STAFF,
            "work_phone": STAFF,  # a work contact partners reach the caseworker at
            "work_email": STAFF,
        }
    ),
    Team: TextColumns(safe={"code": STAFF, "name": STAFF}),
    RoleGrant: TextColumns(safe={"role": STAFF, "status": STAFF}),
    ApiToken: TextColumns(safe={"token_hash": SECRET_HASH}),
    WebSession: TextColumns(
        safe={"session_hash": SECRET_HASH, "csrf_token": "a random per-session token"}
    ),
    LoginThrottle: TextColumns(safe={"key": "the username and address of failed sign-ins"}),
    Organisation: TextColumns(safe=dict.fromkeys(("code", "name", "kind", "country"), REFERENCE)),
    Service: TextColumns(
        safe=dict.fromkeys(("code", "name", "thematic_area", "contact", "eligibility"), REFERENCE)
    ),
    ServiceCoverage: TextColumns(safe={"pcode": REFERENCE}),
    Place: TextColumns(
        safe=dict.fromkeys(("pcode", "country", "parent_pcode", "name", "source"), REFERENCE)
    ),
    # The survey catalogue: the rounds' answers live in Parquet files (personal columns encrypted
    # or dropped); the database holds forms, counts and problem reports without personal values.
    SurveyForm: TextColumns(
        safe={
            **dict.fromkeys(("form_id", "version", "title", "languages", "sha256"), "the form"),
            "definition": "the XLSForm tree (questions and choices, no answers)",
            "issues": "problems of the form itself (sheet, row, column)",
            "source": "the form's file name",
            "created_by": STAFF,
        }
    ),
    SurveyRound: TextColumns(
        safe={
            "name": "the round's name",
            "storage": "a directory name under the data directory",
            "tables": "row counts per table",
            "personal": "which columns are personal and how they are stored (names only)",
            "created_by": STAFF,
        }
    ),
    SurveyImport: TextColumns(
        safe={
            "source": "the export's file name",
            "sha256": "the export's digest",
            "tables": "row counts per table",
            "problems": "cell problems; values of personal columns withheld (rounds.service)",
            "imported_by": STAFF,
        }
    ),
    AreaProfileRow: TextColumns(
        safe=dict.fromkeys(("model_id", "pcode", "values", "source"), "aggregated survey figures")
    ),
    AreaPhase: TextColumns(
        safe=dict.fromkeys(("model_id", "pcode", "source"), "an area classification's keys")
    ),
    PlaceBoundary: TextColumns(
        safe=dict.fromkeys(("pcode", "geometry", "source"), "public admin boundaries (COD-AB)")
    ),
}


def declare(model: type[Any], *, personal: Iterable[str] = (), safe: Mapping[str, str]) -> None:
    both = set(personal) & set(safe)
    if both:
        raise ValueError(f"{model.__name__}: {sorted(both)} declared both personal and safe")
    INVENTORY[model] = TextColumns(tuple(personal), dict(safe))


def personal_columns(model: type[Any]) -> tuple[str, ...]:
    """The columns erasure blanks and the export carries (KeyError: the model is undeclared)."""
    return INVENTORY[model].personal


def is_text(column_type: TypeEngine[Any]) -> bool:
    """Strings, text and JSON, seen through type decorators (``EncryptedText`` is text)."""
    while isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, String | JSON)


def text_columns(mapper: Mapper[Any]) -> set[str]:
    return {c.key for c in mapper.columns if is_text(c.type)}


def undeclared(mappers: Iterable[Mapper[Any]]) -> dict[str, list[str]]:
    """Per model, the text columns neither personal nor safe, and declared names that are no
    column (a rename); empty when the inventory is complete."""
    out: dict[str, list[str]] = {}
    for mapper in mappers:
        found = text_columns(mapper)
        decl = INVENTORY.get(mapper.class_, TextColumns())
        declared = set(decl.personal) | set(decl.safe)
        wrong = sorted(found - declared) + [f"{n} (no such text column)" for n in declared - found]
        if wrong:
            out[mapper.class_.__name__] = wrong
    return out
