"""The shipped risk models: valid, bound to real field and choice names, scoring as intended."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pytest

from safepath.risk import evaluate, list_models, load_model, score_table
from safepath.risk.spec import RiskModel
from safepath.surveys.forms import form_path
from safepath.surveys.xlsform import load_form

MODELS = Path(__file__).resolve().parents[2] / "src" / "safepath" / "risk" / "models"
PROFILE = MODELS / "safepath-domv-v1.area-profile.csv"
REACH = "data/reach-msna-2024"


def _mapped_choices(model: RiskModel) -> dict[str, set[str]]:
    """Field -> every answer the model maps (map keys, multiple values and none choices)."""
    out: dict[str, set[str]] = {}
    for ind in model.indicators:
        s = ind.score
        names = set(s.map or {}) | (
            set(s.multiple.values) | set(s.multiple.none) if s.multiple else set()
        )
        out.setdefault(ind.field, set()).update(names)
    return out


def test_shipped_models_are_listed_and_valid() -> None:
    assert {"safepath-domv-v1", "reach-msna-2024-protection"} <= set(list_models())
    domv = load_model("safepath-domv-v1")
    assert domv.version == "1.0.0" and domv.form == "safepath-screening-v1"


def test_domv_covers_levels_components_and_gpc_risks() -> None:
    model = load_model("safepath-domv-v1")
    assert {i.level for i in model.indicators} == {
        "individual",
        "household",
        "community",
        "structural",
    }
    assert {i.component for i in model.indicators} == {"threat", "vulnerability", "capacity"}
    risks = {r for i in model.indicators for r in i.gpc_risks}
    assert len(risks) >= 10, sorted(risks)
    assert {i.level for i in model.indicators if i.source == "area"} == {"community", "structural"}
    floors = {i.id: (i.floor.min_score, i.floor.phase) for i in model.indicators if i.floor}
    for red_flag in (
        "threat_to_life",
        "unaccompanied_child",
        "unaccompanied_children_in_household",
        "forced_work",
        "documents_withheld",
    ):
        assert floors[red_flag] == (5, 4), red_flag


def test_domv_reads_only_form_fields_and_choices() -> None:
    model = load_model("safepath-domv-v1")
    form = load_form(form_path("safepath-screening-v1"))
    for name in model.record_fields():
        assert name in form.fields, f"model reads {name!r}, not in the form"
    for field, answers in _mapped_choices(model).items():
        if field in form.fields and form.fields[field].choices:
            assert answers <= form.fields[field].choice_names, field
    for dim in model.dimensions.values():
        for read in [dim.field, *(dim.fields or [])]:
            assert read is None or read in form.fields
    assert set(model.places.values()) <= set(form.fields)


def test_area_profile_has_every_area_field_with_mapped_values() -> None:
    model = load_model("safepath-domv-v1")
    profile = pd.read_csv(PROFILE, dtype=str)
    assert profile["pcode"].is_unique and profile["pcode"].str.match(r"^[A-Z]{2}\d{4}$").all()
    assert set(model.area_fields()) <= set(profile.columns)
    for ind in model.indicators:
        if ind.source == "area" and ind.score.map:
            values = set(profile[ind.field].dropna())
            assert values <= set(ind.score.map), ind.id


def _screening(**answers: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "adm1_pcode": "XA01",
        "adm2_pcode": "XA0101",
        "consent": "yes",
        "resp_age": 30,
        "resp_sex": "female",
        "pop_group": "host_community",
        "hh_size": 4,
        "migration_stage": "destination",
        "documents": "valid",
        "movement_restricted": "no",
        "detained": "no",
        "threats_experienced": "none",
        "threat_to_life": "no",
        "gbv_concern": "never",
        "eviction_threat": "no",
        "extortion": "no",
        "forced_work": "no",
        "debt_bondage": "no",
        "child_married": "no",
        "child_recruited": "no",
        "eo_nearby": "no",
        "discrimination": "never",
        "psych_abuse": "never",
        "distress": "never",
        "safe_shelter": "yes",
        "income": "regular",
        "support_network": "yes",
        "services_access": "yes",
        "info_access": "yes",
        "n_unaccompanied": 0,
        "n_separated": 0,
    }
    for d in ("seeing", "hearing", "mobility", "cognition", "self_care", "communication"):
        base[f"wg_{d}"] = "no_difficulty"
    return base | answers


def _area(pcode: str) -> dict[str, Any]:
    rows = pd.read_csv(PROFILE, dtype=str, keep_default_na=False).set_index("pcode")
    return {str(k): (None if v == "" else v) for k, v in rows.loc[pcode].items()}


def test_domv_scores_a_safe_household_low_and_red_flags_high() -> None:
    model = load_model("safepath-domv-v1")
    safe = evaluate(model, _screening(), _area("XA0101"))
    # vulnerability: the worse half of 13 answered indicators, one of them 2 (destination)
    assert (safe.threat, safe.vulnerability, safe.capacity) == (1.0, 1.142857, 5.0)
    assert (safe.risk, safe.phase, safe.case_level) == (0.428571, 1, "none")
    child = evaluate(model, _screening(resp_age=15, resp_unaccompanied="yes"), _area("XA0101"))
    assert child.phase == 4 and child.case_level == "high"
    assert [f["indicator"] for f in child.explanation["floors"]] == ["unaccompanied_child"]
    withheld = evaluate(model, _screening(documents="held_by_other"), _area("XA0101"))
    assert withheld.threat == 5.0 and withheld.phase == 4
    # Same answers, a conflict-affected district: community and structural threat and capacity.
    hot = evaluate(model, _screening(), _area("XA0103"))
    assert hot.threat == 5.0 and hot.capacity < safe.capacity and hot.phase > safe.phase


def test_domv_area_indicators_unanswered_without_profile() -> None:
    model = load_model("safepath-domv-v1")
    result = evaluate(model, _screening(), None)
    area_ids = {i.id for i in model.indicators if i.source == "area"}
    assert set(result.explanation["unanswered"]) == area_ids
    assert result.capacity == 5.0 and result.phase == 1


# ------------------------------------------------------------------------- REACH MSNA 2024
def _reach_tool(shared_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = shared_dir / REACH / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
    survey = pd.read_excel(path, sheet_name="survey", dtype=str, engine="openpyxl")
    choices = pd.read_excel(path, sheet_name="choices", dtype=str, engine="openpyxl")
    survey["name"] = survey["name"].str.strip()
    return survey, choices


@pytest.fixture(scope="module")
def reach_main(shared_dir: Path) -> pd.DataFrame:
    return pd.read_excel(
        shared_dir / REACH / "dummy_raw_data.xlsx", sheet_name="main", engine="openpyxl"
    )


@pytest.mark.shared
def test_reach_fields_exist_in_the_data_and_the_tool(
    shared_dir: Path, reach_main: pd.DataFrame
) -> None:
    model = load_model("reach-msna-2024-protection")
    survey, _ = _reach_tool(shared_dir)
    assert len(reach_main) == 241
    for name in [*model.record_fields(), *model.places.values()]:
        assert name in reach_main.columns, f"{name!r} not in sheet main"
        assert name == "weight" or name in set(survey["name"]), f"{name!r} not in the tool"
    assert model.weight_field == "weight" and model.places == {"adm1": "admin1", "adm2": "admin2"}


@pytest.mark.shared
def test_reach_mapped_choices_exist_in_the_choices_sheet(shared_dir: Path) -> None:
    model = load_model("reach-msna-2024-protection")
    survey, choices = _reach_tool(shared_dir)
    types = dict(zip(survey["name"], survey["type"].str.strip(), strict=True))
    lists = choices.groupby("list_name")["name"].apply(lambda s: set(s.str.strip()))
    checked = 0
    for field, answers in _mapped_choices(model).items():
        kind = types[field].split()
        if kind[0] in ("select_one", "select_multiple"):
            missing = answers - lists[kind[1]]
            assert not missing, f"{field}: {sorted(missing)} not in list {kind[1]}"
            checked += 1
        else:
            assert kind[0] in ("integer", "decimal") and not answers, field
    assert checked >= 20
    sex = model.dimensions["sex"]
    assert sex.map is not None and set(sex.map) <= lists["l_gender"]


@pytest.mark.shared
def test_reach_dummy_round_scores_and_evaluators_agree(reach_main: pd.DataFrame) -> None:
    model = load_model("reach-msna-2024-protection")
    scored = score_table(model, pa.Table.from_pandas(reach_main)).to_pyarrow().to_pandas()
    assert len(scored) == 241 and scored["phase"].between(1, 5).all()
    assert scored["threat"].between(1, 5).all() and scored["capacity"].between(1, 5).all()
    assert scored["phase"].nunique() >= 3  # the model discriminates on this round
    # The floor: a child separated by kidnapping, detention or disappearance is phase 4+.
    flagged = scored["prot_child_sep_reason"].fillna("").str.contains(
        r"\b(?:kidnapped|missing|detained|left_armed_groups)\b"
    ) & (scored["prot_child_sep"] == "yes")
    assert flagged.any() and (scored.loc[flagged, "phase"] >= 4).all()
    records = cast(
        list[dict[str, Any]],
        reach_main.astype(object).where(reach_main.notna(), None).to_dict("records"),
    )
    for row, record in zip(scored.itertuples(), records, strict=True):
        one = evaluate(model, record)
        assert (
            one.threat,
            one.vulnerability,
            one.capacity,
            one.risk,
            one.phase,
            one.case_level,
        ) == (row.threat, row.vulnerability, row.capacity, row.risk, row.phase, row.case_level)


def test_domv_table_and_record_evaluators_agree_with_area_profile() -> None:
    """Random screening answers drawn from the form's own choices (and gaps), joined to the
    sample area profile: the table evaluator matches the record evaluator on every output."""
    import random

    model = load_model("safepath-domv-v1")
    form = load_form(form_path("safepath-screening-v1"))
    rng = random.Random(7)
    pcodes = [*pd.read_csv(PROFILE, dtype=str)["pcode"], "XA0999", None]
    rows: list[dict[str, Any]] = []
    for _ in range(300):
        row: dict[str, Any] = {}
        for name in model.record_fields():
            f = form.fields[name]
            if rng.random() < 0.1:
                row[name] = None
            elif f.type == "select_one":
                row[name] = rng.choice(sorted(f.choice_names))
            elif f.type == "select_multiple":
                row[name] = " ".join(rng.sample(sorted(f.choice_names), rng.randint(1, 3)))
            else:
                row[name] = rng.randint(0, 3) if name.startswith("n_") else rng.randint(0, 90)
        row["adm2_pcode"] = rng.choice(pcodes)
        rows.append(row)
    frame = pd.DataFrame(rows).assign(row_id=range(len(rows)))  # a join may reorder rows
    profile = pd.read_csv(PROFILE, dtype=str)
    for col in ("social_tension_index", "services_functional_pct", "conflict_events_90d"):
        profile[col] = pd.to_numeric(profile[col])
    scored = (
        score_table(model, pa.Table.from_pandas(frame), pa.Table.from_pandas(profile))
        .to_pyarrow()
        .to_pylist()
    )
    scored.sort(key=lambda r: r["row_id"])
    by_pcode: dict[str, dict[str, Any]] = {
        r["pcode"]: r
        for r in cast(
            list[dict[str, Any]],
            profile.astype(object).where(profile.notna(), None).to_dict("records"),
        )
    }
    phases = set()
    for row, out in zip(rows, scored, strict=True):
        one = evaluate(model, row, by_pcode.get(row["adm2_pcode"]))
        assert (
            one.threat,
            one.vulnerability,
            one.capacity,
            one.risk,
            one.phase,
            one.case_level,
        ) == tuple(
            out[k] for k in ("threat", "vulnerability", "capacity", "risk", "phase", "case_level")
        ), row
        phases.add(one.phase)
    assert len(phases) >= 3
