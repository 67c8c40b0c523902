"""Demo protection analysis: a synthetic household survey round over Meridia's districts, scored
with the screening model and classified by province and district (the table evaluator and the
area rule, as ``safepath risk areas --save`` does), stored so the advocacy and area pages show
each area's latest phase on first start. Deterministic (seeded); saving it again replaces it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from importlib.resources import files

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.cases.instruments import instrument
from safepath.demo.cases import synthetic_answers
from safepath.places.area_phases import save_area_phases
from safepath.store.models import AreaPhase, Place

SOURCE = "Meridia protection monitoring, round 1 (synthetic demo)"
SEED = 2026
HOUSEHOLDS_PER_DISTRICT = 24
DAYS_AGO = 35


def _round(session: Session, rng: random.Random) -> list[dict[str, object]]:
    districts = session.scalars(select(Place.pcode).where(Place.level == 2).order_by(Place.pcode))
    records: list[dict[str, object]] = []
    for pcode in districts:
        severity = rng.uniform(0.1, 0.9)  # how hard the district is hit
        for _ in range(HOUSEHOLDS_PER_DISTRICT):
            records.append(
                synthetic_answers(
                    rng,
                    pcode,
                    min(1.0, max(0.0, rng.gauss(severity, 0.15))),
                    age=rng.randint(18, 70),
                    sex=rng.choice(("female", "male")),
                    group=rng.choice(("idp", "migrant", "refugee", "returnee")),
                )
            )
    return records


def load_demo_area_phases(session: Session, seed: int = SEED) -> int:
    """Classify the synthetic round by adm1 and adm2 and store the areas' phases; returns how
    many areas have one."""
    import pyarrow as pa

    from safepath.risk import classify_areas, score_table
    from safepath.risk.area_profile import AreaProfile

    tool = instrument()
    model = tool.model
    records = _round(session, random.Random(seed))
    fields = list(dict.fromkeys([*model.record_fields(), *model.places.values()]))
    columns = {}
    for f in fields:
        values = [r.get(f) for r in records]
        if f.startswith("n_"):  # household counts from repeat rows: none in this round
            values = [0 if v is None else v for v in values]
        typed = any(v is not None for v in values)
        columns[f] = pa.array(values) if typed else pa.array(values, pa.string())
    table = pa.table(columns)
    text = (files("safepath.demo") / "area-profile.csv").read_text(encoding="utf-8")
    profile = AreaProfile.from_csv_text(text, source="demo area-profile.csv", model=model)
    scored = score_table(model, table, profile.to_arrow(model)).to_pyarrow()  # once for both
    at = datetime.now(UTC) - timedelta(days=DAYS_AGO)
    saved = 0
    for level in model.places:
        rows = classify_areas(model, scored, by=[level]).to_pyarrow().to_pylist()
        saved += save_area_phases(session, tool.model_id, SOURCE, level, rows, at=at).saved
    return saved


def load() -> list[str]:
    """Entry point for ``safepath demo``, after the places."""
    from safepath.store.db import session_scope

    with session_scope() as session:
        stored = session.scalar(select(func.count(AreaPhase.id)).where(AreaPhase.source == SOURCE))
        if stored:  # the round is deterministic: classifying it again changes nothing
            return [f"area phases: {stored} areas classified from {SOURCE} (already loaded)"]
        areas = load_demo_area_phases(session)
    return [f"area phases: {areas} areas classified from {SOURCE}"]
