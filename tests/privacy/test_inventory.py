"""The data inventory (``safepath.privacy.inventory``): every text column of every model is
declared personal or safe, and erasure and the data-subject export follow the personal list."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from safepath.demo import load_demo
from safepath.demo.cases import load_demo_cases
from safepath.privacy import identity, inventory, persons
from safepath.privacy.demo import ensure_demo_users
from safepath.privacy.inventory import INVENTORY, TextColumns
from safepath.store.db import session_scope
from safepath.store.encrypted import EncryptedText
from safepath.store.models import Base, Case
from safepath.store.models.persons import Person


def test_every_text_column_of_every_model_is_declared() -> None:
    mappers = list(Base.registry.mappers)
    assert len(mappers) >= 19  # every model was walked (cases' are declared when wired)
    assert inventory.undeclared(mappers) == {}
    for model, decl in INVENTORY.items():
        assert all(why for why in decl.safe.values()), f"{model.__name__}: say why it is safe"
    assert "narrative" in inventory.personal_columns(Case)
    assert "given_name" in inventory.personal_columns(Person)


def test_a_new_undeclared_text_column_fails_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    class Scratch(DeclarativeBase):
        pass

    class Thing(Scratch):
        __tablename__ = "things"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        count: Mapped[int] = mapped_column(Integer)  # not text: needs no declaration
        code: Mapped[str] = mapped_column(String(20))
        note: Mapped[str] = mapped_column(Text)
        secret: Mapped[str] = mapped_column(EncryptedText())
        extra: Mapped[dict[str, Any]] = mapped_column(JSON)

    mappers = list(Scratch.registry.mappers)
    assert inventory.undeclared(mappers) == {"Thing": ["code", "extra", "note", "secret"]}
    thing: type[Any] = Thing
    monkeypatch.setitem(
        INVENTORY, thing, TextColumns(personal=("note", "secret", "renamed"), safe={"code": "x"})
    )
    assert inventory.undeclared(mappers) == {"Thing": ["extra", "renamed (no such text column)"]}
    with pytest.raises(ValueError, match="both personal and safe"):
        inventory.declare(Thing, personal=("note",), safe={"note": "x"})


# --- erasure and export follow the declared list ---------------------------------------------
# Personal columns that hold JSON text: a marker is written inside a valid document.
JSON_TEXT: dict[str, Callable[[str], str]] = {
    "documents": lambda m: json.dumps([{"type": "passport", "number": m}]),
    "answers": lambda m: json.dumps({"note": m}),
}
BLANK = (None, "{}")  # erased: no value, or an empty answers document


def _rows_of(s: Session, model: type[Any], person_id: int) -> list[Any]:
    """The rows of ``model`` about one person (by ``id``, ``person_id`` or ``case_id``)."""
    columns = model.__table__.columns
    if model is Person:
        where = Person.id == person_id
    elif "person_id" in columns:
        where = columns["person_id"] == person_id
    elif "case_id" in columns:
        cases = select(Case.id).where(Case.person_id == person_id)
        where = columns["case_id"].in_(cases)
    elif "case_code" in columns:  # complaints reach a person through the case they became
        codes = select(Case.code).where(Case.person_id == person_id)
        where = columns["case_code"].in_(codes)
    else:
        raise AssertionError(f"{model.__name__} holds personal text: say how it finds its person")
    return list(s.scalars(select(model).where(where)))


# Personal text the case demo does not produce, proved erased and exported by its own test.
ELSEWHERE = {
    "Complaint": "tests/feedback/test_privacy_steps.py",
    # the demo attaches no file; erasure deletes the rows (not blanks them): its own test
    "CaseAttachment": "tests/cases/test_attachments.py",
}


def _personal_models() -> list[type[Any]]:
    return sorted(
        (m for m, d in INVENTORY.items() if d.personal and m.__name__ not in ELSEWHERE),
        key=lambda m: m.__name__,
    )


def test_erasure_blanks_and_the_export_carries_every_personal_column(engine: Engine) -> None:
    load_demo()
    with session_scope() as s:
        ensure_demo_users(s)
    with session_scope() as s:
        load_demo_cases(s, 10)
    models = _personal_models()
    with session_scope() as s:
        # the demo person whose records reach the most kinds of personal text
        ids = list(s.scalars(select(Case.person_id).distinct()))
        person_id = max(ids, key=lambda p: sum(bool(_rows_of(s, m, p)) for m in models))
        code = s.get(Person, person_id).code  # type: ignore[union-attr]
        markers: list[str] = []
        for model in models:
            rows = _rows_of(s, model, person_id)
            assert rows, f"the demo has no {model.__name__} row for {code}: pick richer data"
            for i, row in enumerate(rows):
                for name in inventory.personal_columns(model):
                    marker = f"mark-{model.__name__}-{name}-{i}"
                    setattr(row, name, JSON_TEXT.get(name, str)(marker))
                    markers.append(marker)
        dpo = identity.actor_for(identity.find_user(s, "dpo"))
    with session_scope() as s:
        exported = json.dumps(persons.export(s, dpo, code))
    assert [m for m in markers if m not in exported] == []
    with session_scope() as s:
        persons.erase(s, dpo, code)
    with session_scope() as s:
        left = [
            f"{model.__name__}.{name}"
            for model in models
            for row in _rows_of(s, model, person_id)
            for name in inventory.personal_columns(model)
            if getattr(row, name) not in BLANK
        ]
    assert left == []
    assert len(markers) >= 10
