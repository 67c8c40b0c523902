"""The XLSForm as an HTML form: answers read back from a post (repeats, calculations), problems
placed on the right field, labels in the reader's language."""

from __future__ import annotations

from safepath.cases.instruments import instrument
from safepath.errors import Problem
from safepath.web import assessment_form as af


def test_labels_follow_the_language_with_english_fallback() -> None:
    labels = {"English (en)": "Interview", "Français (fr)": "Entretien"}
    assert af.label(labels, "fr") == "Entretien"
    assert af.label(labels, "ar") == "Interview"  # the form has no Arabic column yet
    assert af.label({}, "fr") == ""


def test_read_answers_with_household_members_and_their_calculations() -> None:
    form = instrument().form
    post = {
        "consent": ["yes"],
        "threats_experienced": ["extortion", "detention"],
        "resp_age": [" 40 "],
        "hh_members.count": ["2"],
        "hh_members.0.member_age": ["12"],
        "hh_members.0.member_separation": ["unaccompanied"],
        "hh_members.1.member_age": ["35"],
        "hh_members.1.member_name": ["Omar"],
    }
    answers, counts = af.read_answers(form, post)
    assert counts == {"hh_members": 2}
    assert answers["threats_experienced"] == "extortion detention"
    assert answers["resp_age"] == "40"
    members = answers["hh_members"]
    assert members[0]["member_unaccompanied"] == 1 and members[0]["member_separated"] == 1
    assert members[1]["member_unaccompanied"] == 0 and members[1]["member_name"] == "Omar"
    assert answers["n_unaccompanied"] == 1 and answers["n_separated"] == 1


def test_irrelevant_answers_are_dropped() -> None:
    form = instrument().form
    answers = {"consent": "no", "resp_age": "30", "adm1_pcode": "XM01"}
    kept = af.drop_irrelevant(form, answers)
    assert kept == {"consent": "no", "adm1_pcode": "XM01"}  # the screening group needs consent


def test_problems_land_on_their_html_field() -> None:
    form = instrument().form
    problems = [
        Problem("required answer is missing", scope=form.id, column="resp_age"),
        Problem("required answer is missing", scope=form.id, row=1, column="member_age"),
        Problem("whole form", scope=form.id),
    ]
    assert af.errors_by_field(form, problems) == {
        "resp_age": "required answer is missing",
        "hh_members.1.member_age": "required answer is missing",
    }


def test_build_places_groups_repeats_and_errors() -> None:
    form = instrument().form
    answers = {"hh_members": [{"member_age": "9"}]}
    tree = af.build(form, "fr", answers, {"hh_members.0.member_age": "x"}, {"hh_members": 2})
    top = [item.label for item in tree.items if isinstance(item, af.Section)]
    assert top[:2] == ["Entretien", "Dépistage"]
    screening = next(i for i in tree.items if isinstance(i, af.Section) and i.label == "Dépistage")
    assert screening.relevant == "${consent} = 'yes'"
    members = next(i for i in screening.items if isinstance(i, af.Section) and i.repeat)
    assert len(members.instances) == 2
    first = {q.field.name: q for q in members.instances[0] if isinstance(q, af.Question)}
    assert first["member_age"].value == "9" and first["member_age"].error == "x"
    assert first["member_age"].html_name == "hh_members.0.member_age"
    assert "member_unaccompanied" not in first  # calculations are not questions
