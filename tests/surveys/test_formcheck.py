"""XLSForm checks: every problem pyxform lets through, located by sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.surveys.sample import CHOICES, SURVEY, write_form

from safepath.surveys import xpath
from safepath.surveys.formcheck import check_form
from safepath.surveys.xlsform import form_from_json, form_to_json, load_form


def test_the_sample_form_is_clean(tmp_path: Path) -> None:
    report = check_form(write_form(tmp_path / "f.xlsx"))
    assert report.issues == []
    assert report.form is not None and report.form.languages == ("english", "french")


def test_problems_are_collected_and_located(tmp_path: Path) -> None:
    survey = [dict(r) for r in SURVEY]
    survey[3] = {**survey[3], "name": "resp name"}  # a space in a name (row 5)
    survey.insert(5, {"type": "integer", "name": "hh_size", "label::english": "again"})  # row 7
    survey.insert(6, {"type": "select_one nolist", "name": "q_missing", "label::english": "?"})
    survey.insert(7, {"type": "text", "name": "q_rel", "relevant": "${nowhere} = 'yes'"})
    survey.insert(8, {"type": "text", "name": "q_bad", "constraint": ". > and 3"})
    survey.insert(9, {"type": "text", "name": "q_bare", "relevant": "${displaced} = yes"})
    survey.insert(10, {"type": "text", "name": "q_calc", "calculation": "concat(${hh_size}, 'x'"})
    choices = [*CHOICES, {"list_name": "yn", "name": "yes", "label::english": "Yes again"}]
    report = check_form(write_form(tmp_path / "broken.xlsx", survey, choices))
    found = {
        (p.scope, p.row, p.column, p.message.split(":")[0].split(" (")[0]) for p in report.issues
    }
    assert ("survey", 5, "name", "name contains a space") in found
    assert ("survey", 13, "name", "duplicate name") in found  # the first stays at row 7
    assert ("survey", 8, "type", "choice list 'nolist' is not on the choices sheet") in found
    assert ("survey", 9, "relevant", "${nowhere} names no field of the form") in found
    assert ("survey", 10, "constraint", "not a valid expression") in found
    assert any(p.row == 11 and "element path" in p.message for p in report.issues)
    assert ("survey", 12, "calculation", "not a valid expression") in found
    assert any(
        p.scope == "choices" and p.row == 11 and "duplicate choice" in p.message
        for p in report.issues
    )
    assert any(p.message.startswith("pyxform:") for p in report.issues)  # pyxform's own error too
    assert len(report.issues) >= 9


@pytest.mark.parametrize(
    ("expression", "ok"),
    [
        ("${a} = 'yes'", True),
        ("count-selected(${a}) > 1 and not(selected(${a}, 'x'))", True),
        ("indexed-repeat(${x}, ${rep}, position(..))", True),
        ("jr:choice-name(${a}, '${a}')", True),
        ("/data/group/q != ''", True),
        (". >= 0 and . <= 120", True),
        ("${a} == 'x'", False),
        ("${a} = ", False),
        ("concat(${a}, 'x'", False),
        ("(${a} + 1", False),
    ],
)
def test_xpath_syntax(expression: str, ok: bool) -> None:
    if ok:
        xpath.check_syntax(expression)
    else:
        with pytest.raises(xpath.XPathSyntaxError):
            xpath.check_syntax(expression)


def test_the_form_tree_round_trips_as_json(tmp_path: Path) -> None:
    form = load_form(write_form(tmp_path / "f.xlsx"))
    back = form_from_json(form_to_json(form))
    assert back == form
    assert back.fields["needs"].choices[1].labels == {"english": "Drinking water", "french": "Eau"}
    assert [g.name for g in back.repeats] == ["members"]
