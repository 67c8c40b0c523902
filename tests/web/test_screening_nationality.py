"""The screening form asks nationality from the registration's ISO 3166-1 list (a drop-down in
the reader's language, sorted by name there, with STATELESS), not as a typed code; a code off the
list is refused next to the question."""

from __future__ import annotations

import re

from tests.web.test_households import _token, app, as_user, register

from safepath.cases.instruments import instrument
from safepath.framework import countries
from safepath.web import assessment_form as af

__all__ = ["app"]  # the fixture


def _picker(html: str) -> list[tuple[str, str]]:
    found = re.search(
        r'<select id="f-nationality" name="nationality"[^>]*>(.*?)</select>', html, re.S
    )
    assert found, "no nationality drop-down"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))


def test_the_form_lists_every_country_and_stateless() -> None:
    field = instrument().form.fields["nationality"]
    assert field.type == "select_one"
    assert field.choice_names == countries.codes() | {"STATELESS"}


def test_nationality_is_a_drop_down_in_the_readers_language(app) -> None:  # type: ignore[no-untyped-def]
    from safepath.demo import load_demo

    load_demo()
    token = as_user(app, "cw")
    case = register(app, token, "Rana", age="34", sex="female", nationality="SDN")
    fr = app.get(f"/cases/{case}/assess?lang=fr").text
    options = _picker(fr)
    assert options[0] == ("", "–")
    named = dict(options[1:])
    assert named["SDN"] == "Soudan" and named["DEU"] == "Allemagne"
    assert named["STATELESS"] == "Apatride"
    labels = [text for _, text in options[1:]]
    # by the French names, accents aside: Égypte among the E's, not after Zimbabwe
    assert labels.index("Danemark") < labels.index("Égypte") < labels.index("Espagne")
    assert labels.index("Zimbabwe") == len(labels) - 1
    assert re.search(r'<option value="SDN" selected>', fr)  # from the registration
    assert 'name="nationality" value=' not in fr  # no typed code any more
    ar = dict(_picker(app.get(f"/cases/{case}/assess?lang=ar").text)[1:])
    assert ar["SDN"] == "السودان" and ar["STATELESS"] == "عديم الجنسية"


def test_a_code_off_the_list_is_refused_next_to_the_question(app) -> None:  # type: ignore[no-untyped-def]
    from safepath.demo import load_demo

    load_demo()
    token = as_user(app, "cw")
    case = register(app, token, "Rana", age="34", sex="female")
    form = app.get(f"/cases/{case}/assess").text
    r = app.post(
        f"/cases/{case}/assess",
        data={
            "csrf_token": _token(form),
            "version": re.findall(r'name="version" value="(\d+)"', form)[0],
            "consent": "yes",
            "nationality": "XMA",
        },
    )
    assert r.status_code == 422
    block = r.text[r.text.index('data-name="nationality"') :]
    block = block[: block.index("</div>")]
    assert 'class="err"' in block, block[:400]


def test_short_choice_lists_stay_radios() -> None:
    tree = af.build(instrument().form, "en", {}, {}, {})
    questions: list[af.Question] = []

    def walk(sec: af.Section) -> None:
        for item in sec.items:
            if isinstance(item, af.Section):
                walk(item)
            else:
                questions.append(item)

    walk(tree)
    drop_downs = {q.field.name for q in questions if q.drop_down}
    assert drop_downs == {"nationality"}
