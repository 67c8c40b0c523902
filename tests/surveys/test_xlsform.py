"""The shipped screening XLSForm: in sync with its source, valid for pyxform, typed and checked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from safepath.errors import InputError
from safepath.surveys.forms import build, form_path, screening_v1
from safepath.surveys.xlsform import load_form, validate_answers

FORM = form_path("safepath-screening-v1")


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_committed_workbook_matches_its_source(tmp_path: Path) -> None:
    [rebuilt] = build.build(tmp_path)
    assert _cells(rebuilt) == _cells(FORM), "run python -m safepath.surveys.forms.build"
    assert list(_cells(FORM)) == ["survey", "choices", "settings"]


def test_pyxform_converts_without_warnings() -> None:
    warnings: list[str] = []
    result = convert(str(FORM), warnings=warnings)
    assert warnings == []
    assert 'id="safepath-screening-v1"' in result.xform
    assert "<hh_members" in result.xform and "jr:count" in result.xform


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_form() -> None:
    warnings: list[str] = []
    convert(str(FORM), warnings=warnings, validate=True)  # raises ODKValidateError otherwise
    assert warnings == []


def test_typed_definition() -> None:
    form = load_form(FORM)
    assert form.id == "safepath-screening-v1" and form.version == screening_v1.VERSION
    assert form.languages == ("English (en)", "Español (es)", "Français (fr)", "العربية (ar)")
    consent = form.field("consent")
    assert consent.type == "select_one" and consent.required
    assert consent.choice_names == {"yes", "no"}
    assert form.field("resp_sex").choice_names == {"female", "male", "other", "prefer_not_to_say"}
    wg = [
        form.field(f"wg_{d}")
        for d in ("seeing", "hearing", "mobility", "cognition", "self_care", "communication")
    ]
    assert {f.list_name for f in wg} == {"wg_answer"}
    assert wg[0].choice_names == {
        "no_difficulty",
        "some_difficulty",
        "a_lot_of_difficulty",
        "cannot_do_at_all",
    }
    assert form.field("migration_stage").choice_names == {
        "origin",
        "transit",
        "destination",
        "return",
    }
    assert form.field("threats_experienced").type == "select_multiple"
    assert form.relevance_chain("wg_seeing") == ["${consent} = 'yes'", "${resp_age} >= 5"]
    assert form.field("wg_seeing").path == ("screening", "wgss")
    assert [g.name for g in form.repeats] == ["hh_members"]
    assert form.field("member_age").repeat == "hh_members"
    assert form.field("n_unaccompanied").calculation == "sum(${member_unaccompanied})"
    assert form.field("resp_age").labels["Français (fr)"] == "Quel âge avez-vous ?"
    assert form.field("resp_age").labels["Español (es)"] == "¿Cuántos años tiene?"
    assert form.field("resp_age").labels["العربية (ar)"] == "كم عمرك؟"
    assert form.field("resp_age").constraint_message["Español (es)"] == "Edad entre 0 y 120"
    assert form.field("resp_age").constraint_message["English (en)"] == "Age between 0 and 120"
    with pytest.raises(InputError, match="no field 'nope'"):
        form.field("nope")


def _complete() -> dict[str, Any]:
    answers: dict[str, Any] = {
        "adm1_pcode": "XA01",
        "adm2_pcode": "XA0102",
        "consent": "yes",
        "resp_age": 34,
        "resp_sex": "female",
        "nationality": "SDN",
        "pop_group": "idp",
        "hh_size": 1,
        "migration_stage": "transit",
        "documents": "none",
        "movement_restricted": "no",
        "detained": "no",
        "threats_experienced": "eviction theft_extortion",
        "threat_to_life": "no",
        "gbv_concern": "often",
        "eviction_threat": "yes",
        "extortion": "yes",
        "forced_work": "no",
        "debt_bondage": "no",
        "child_married": "no",
        "child_recruited": "no",
        "eo_nearby": "dont_know",
        "discrimination": "never",
        "psych_abuse": "sometimes",
        "distress": "never",
        "safe_shelter": "partly",
        "income": "none",
        "support_network": "no",
        "services_access": "partly",
        "info_access": "yes",
        "hh_members": [
            {
                "member_name": "A",
                "member_age": 34,
                "member_sex": "female",
                "member_relation": "head",
            }
        ],
    }
    for domain in ("seeing", "hearing", "mobility", "cognition", "self_care", "communication"):
        answers[f"wg_{domain}"] = "no_difficulty"
    return answers


def test_complete_submission_has_no_problems() -> None:
    assert validate_answers(load_form(FORM), _complete()) == []


def test_refused_consent_needs_nothing_else() -> None:
    form = load_form(FORM)
    answers = {"adm1_pcode": "XA01", "adm2_pcode": "XA0101", "consent": "no"}
    assert validate_answers(form, answers) == []
    problems = validate_answers(form, {**answers, "resp_age": 30})
    assert [(p.column, p.message) for p in problems] == [("resp_age", "answered but not relevant")]


def test_problems_are_located() -> None:
    form = load_form(FORM)
    answers = _complete()
    answers.update(
        resp_age=15,
        resp_sex="woman",
        hh_size="two",
        adm2_pcode="XB0101",
        threats_experienced="none eviction",
        nationality=None,
    )
    answers["hh_members"] = [
        {
            "member_name": "B",
            "member_age": 12,
            "member_sex": "male",
            "member_relation": "sibling",
            "member_separation": "lost",
        },
        {
            "member_name": "C",
            "member_age": 200,
            "member_sex": "female",
            "member_relation": "parent",
        },
    ]
    got = {(p.row, p.column): p.message for p in validate_answers(form, answers)}
    assert got == {
        (None, "resp_sex"): "not a choice of 'sex'",
        (None, "hh_size"): "not an integer",
        (None, "adm2_pcode"): "The admin 1 P-code followed by two digits, e.g. AF0101",
        (None, "threats_experienced"): "'None' cannot be combined with other answers",
        (None, "nationality"): "required answer is missing",
        (None, "resp_unaccompanied"): "required answer is missing",  # relevant: age < 18
        (0, "member_separation"): "not a choice of 'separation'",
        (1, "member_age"): "Age between 0 and 120",
    }


def test_invalid_workbook_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    build.write_workbook(
        {
            "survey": [{"type": "select_one missing_list", "name": "q", "label": "Q"}],
            "choices": [{"list_name": "x", "name": "a", "label": "A"}],
        },
        bad,
    )
    with pytest.raises(InputError, match="not a valid XLSForm"):
        load_form(bad)
    with pytest.raises(InputError, match="not found"):
        load_form(tmp_path / "absent.xlsx")
