"""Issue 15's casework items, one browser journey each, on the live demo: the four levels on a
demo case, a child registered with a guardian's consent and the child's assent, a closed case
whose red flag held the phase, the duplicate warning and the household view, and the place
picker with every validation error at once next to its field."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

LEVELS = ["Individual", "Household", "Community", "Structural"]


def _case_links(visit: Visit, query: str) -> list[str]:
    """The case codes the case list shows for ``query`` (its first page)."""
    page = visit.page
    visit.go(f"/cases?{query}")
    hrefs = page.eval_on_selector_all(
        "main a[href^='/cases/CS-']", "els => els.map(e => e.getAttribute('href'))"
    )
    return list(dict.fromkeys(h.rsplit("/", 1)[-1] for h in hrefs))


def _first_case(visit: Visit, query: str, *wanted: str) -> str:
    """The first listed case whose page contains each of ``wanted`` (fetched without rendering)."""
    for code in _case_links(visit, query):
        html = visit.page.request.get(f"{visit.base}/cases/{code}").text()
        if all(w in html for w in wanted):
            return code
    raise AssertionError(f"no case for {query!r} shows {wanted!r}")


def _fill_person(page: Any, given: str, **fields: str) -> None:
    page.fill("#given_name", given)
    page.fill("#family_name", fields.get("family", "Test"))
    page.select_option("#sex", fields.get("sex", "female"))
    page.fill("#age", fields.get("age", "34"))
    page.fill("#phone", fields.get("phone", ""))
    page.fill("#place_pcode", fields.get("place", "XM0101"))
    page.check("input[name=consent][value=case_management]")
    page.check("input[name=thematic_areas][value=gbv]")


def _submit(page: Any, selector: str = "form.form button.primary") -> None:
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


def _code(page: Any) -> str:
    found = re.search(r"/cases/(CS-[\w-]+)", page.url)
    assert found, page.url
    return found.group(1)


def _fact(page: Any, term: str) -> str:
    text: str = page.locator(
        f"dl.facts >> dt:text-is('{term}') >> xpath=following-sibling::dd[1]"
    ).first.inner_text()
    return text.strip()


def test_item1_a_demo_case_shows_the_four_levels(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    code = _first_case(visit, "", "By level")
    visit.go(f"/cases/{code}")
    rows = page.locator("#risk table").first.locator("tbody tr")
    levels = {
        r.locator("th").inner_text().strip(): r.locator("td").all_inner_texts() for r in rows.all()
    }
    assert list(levels) == LEVELS, levels
    for name in ("Community", "Structural"):
        values = levels[name]
        assert any(re.fullmatch(r"\d+\.\d\d", v.strip()) for v in values), (name, values)
    # each area level names the place and the area indicators that fed it, with their scores
    for level in ("community", "structural"):
        line = page.locator(f"#area-{level}").inner_text()
        assert re.search(r"Area data XM\d+: .+ [0-5]/5", line), line
    visit.shot("casework-four-levels")


def test_item2_a_child_needs_the_guardians_consent_and_the_childs_assent(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/register")
    _fill_person(page, "Samiqo", age="12", sex="male")
    page.select_option("#given_by", "guardian")
    _submit(page)  # no assent: refused, nothing created
    assert "/register" in page.url
    alert = page.locator("main [role=alert]").first.inner_text()
    assert "assent" in alert, alert
    assert "assent" in page.locator("#reg-child_assent-err").inner_text()  # next to the choice
    assert page.locator("#given_name").input_value() == "Samiqo"  # the answers are kept
    assert _case_links(visit, "q=Samiqo") == []

    visit.go("/register")
    _fill_person(page, "Samiqo", age="12", sex="male")
    page.select_option("#given_by", "guardian")
    page.check("input[name=child_assent][value=yes]")
    _submit(page)
    code = _code(page)
    assert "Samiqo" in _fact(page, "Person")
    assert page.locator("#consent").count() == 1
    row = page.locator("#consent tr", has_text="Case management").inner_text()
    assert "Given" in row and "A parent or guardian · The child agrees" in row, row
    assert _case_links(visit, "q=Samiqo") == [code]


def test_item3_a_closed_case_names_the_red_flag_that_held_the_phase(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "supervisor")
    code = _first_case(
        visit, "status=closed", "Outcome not achieved", "held by a red flag", "The risk score fell"
    )
    visit.go(f"/cases/{code}")
    risk = page.locator("#risk").inner_text()
    assert "held by a red flag" in risk, risk
    floors = page.locator("#risk ul.floors li").all_inner_texts()
    assert floors and all("keeps the phase at least" in f for f in floors), floors
    phase_line = page.locator("#risk p", has_text="Phase:").first.inner_text()
    assert not re.search(r"Phase: \d+\b", phase_line), phase_line  # by name, not a number
    outcome = page.locator("p", has_text="Outcome not achieved").first
    assert outcome.get_attribute("class") == "warn"
    assert outcome.get_attribute("role") != "status"
    assert "A red flag holds it" in page.locator("main").inner_text()
    visit.shot("casework-outcome-held")


def test_item5_a_likely_match_then_a_new_case_then_the_household(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/register")
    _fill_person(page, "Mariam", family="Haddad", phone="+961 70 123 987")
    page.check("input[name=new_household]")
    _submit(page)
    first = _code(page)
    household = page.locator("#household h2 code").inner_text()
    person = page.locator("dl.facts dd code").first.inner_text()

    visit.go("/register")
    _fill_person(page, "Mariam", family="Haddad", phone="+961 70 123 987")
    _submit(page)
    matches = page.locator("#matches")
    assert matches.count() == 1, page.locator("main").inner_text()[:500]
    assert "This person may already be registered" in matches.inner_text()
    assert matches.locator("li").first.locator("strong").inner_text() == person
    assert "same phone" in matches.inner_text() and "same name" in matches.inner_text()
    link = matches.get_by_role("link", name="Open the existing person")
    assert link.first.get_attribute("href") == f"/cases?person_code={person}"
    assert page.get_by_role("button", name="Continue").count() == 1
    _submit(page, f"#matches button[name=use_person][value='{person}']")
    second = _code(page)
    assert second != first
    assert person in page.locator("dl.facts dd").first.inner_text()
    assert sorted(_case_links(visit, f"person_code={person}")) == sorted([first, second])

    # the household view lists its member with both cases
    visit.go(f"/cases/{first}")
    assert page.locator("#household h2 code").inner_text() == household
    member = page.locator(f"#household tr[data-person='{person}']").inner_text()
    assert "Mariam" in member and first in member and second in member
    visit.shot("casework-household")


def test_item7_the_place_picker_and_every_error_at_once(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    for given, age, typed in (("Lina", "27", "xm0102"), ("Dalia", "45", "Birchfield")):
        visit.go("/register")
        assert page.locator("#place-list option[value='Birchfield (XM0102)']").count() == 1
        _fill_person(page, given, age=age, place=typed)
        _submit(page)
        assert _fact(page, "Place (P-code)") == "XM0102", typed
    code = _code(page)

    # registration: every problem in one refusal, each named by its field; nothing saved
    visit.go("/register")
    page.eval_on_selector("form.form", "f => { f.noValidate = true; }")
    _fill_person(page, "Zarathina", age="200")
    page.uncheck("input[name=thematic_areas][value=gbv]")
    _submit(page)
    refusal = page.locator("main [role=alert]").first.inner_text()
    assert "Age:" in refusal and "Thematic areas:" in refusal, refusal
    # and each next to its own field, the field marked invalid for screen readers
    assert "129" in page.locator("#reg-age-err").inner_text()
    assert page.locator("#age").get_attribute("aria-describedby") == "reg-age-err"
    assert page.locator("#reg-thematic_areas-err").inner_text().strip()
    assert page.locator("#reg-given_name-err").count() == 0  # a good field has no message
    assert _case_links(visit, "q=Zarathina") == []

    visit.go(f"/cases/{code}/assess")
    page.eval_on_selector("form.xlsform", "f => { f.noValidate = true; }")
    # place and age are pre-filled from the registration; consent given, nothing else answered
    page.check("input[name=consent][value=yes]")
    _submit(page, "form.xlsform button.primary")
    invalid = page.locator("form.xlsform .q.invalid")
    names = invalid.evaluate_all("els => els.map(e => e.dataset.name)")
    assert "consent" not in names and len(names) >= 3, names
    problems = page.locator("#problems").inner_text()
    assert re.search(r"Some answers need attention: (\d+)", problems)
    count = int(re.search(r"attention: (\d+)", problems).group(1))  # type: ignore[union-attr]
    assert count == len(names) >= 2
    for q in invalid.all():  # each message sits in its own question, named by the field
        err = q.locator("p.err")
        assert err.count() == 1 and err.inner_text().strip()
    visit.shot("casework-errors-at-once")


def test_item12_revoke_a_referral_reopen_a_case_reset_a_password(visit: Visit) -> None:
    page = visit.page
    # a caseworker revokes a referral still open: the partner no longer sees the case
    sign_in(page, visit.base, "caseworker")
    code = _first_case(visit, "", "/revoke")
    visit.go(f"/cases/{code}")
    revoke = page.locator("#referrals form[action$='/revoke']").first
    with page.expect_navigation():
        revoke.locator("button").click()
    assert page.locator("#referrals [role=status]").inner_text() == (
        "The referral is revoked: the service no longer sees the case."
    )
    assert "Revoked" in page.locator("#referrals tbody").inner_text()

    # a supervisor reopens a closed case, with the reason
    sign_in(page, visit.base, "supervisor")
    code = _first_case(visit, "status=closed", "Reopen the case")
    visit.go(f"/cases/{code}")
    page.click("summary:text-is('Reopen the case')")
    page.fill("#reopen-note", "New threats reported")
    _submit(page, "form[action$='/reopen'] button")
    assert page.locator("[role=status]").filter(has_text="The case is reopened.").count() == 1
    assert "Reopened" in page.locator("dl.facts").first.inner_text()

    # an admin resets a user's password (a user made for it: the demo users sign in elsewhere)
    sign_in(page, visit.base, "admin")
    visit.go("/admin")
    username = f"cw.reset.{uuid.uuid4().hex[:6]}"
    page.fill("#new-username", username)
    page.fill("#new-password", "quiet meadow 93 copper")
    _submit(page, "button:text-is('Create the user')")
    row = page.locator(f"tr:has(td:text-is('{username}'))")
    reset = row.locator("details:has(summary:text-is('Reset the password'))")
    reset.locator("summary").click()
    reset.locator("input[name=password]").fill("violet harbour 48 lantern")
    with page.expect_navigation():
        reset.locator("button").click()
    confirmed = page.locator("[role=status]").first.inner_text()
    assert username in confirmed and "is reset" in confirmed, confirmed
