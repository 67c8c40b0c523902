"""Closure waits for the plan, and a partner can reach the caseworker, in a real browser: the case
page names the intervention still planned and offers no closure; marked done with a note, the
closure goes through. The partner's referral shows its urgency and the caseworker's work contact;
the partner's notes come back to the case page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from tests.browser.journey import approve_closure, fill_screening, sign_in
from tests.browser.test_journey import _register

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


def test_closure_is_refused_until_the_intervention_is_done(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    code = _register(visit, "Salma")
    visit.go(f"/cases/{code}/assess")
    fill_screening(page, choice=0)
    page.click("form.xlsform button.primary")
    page.wait_for_url(re.compile(rf"/cases/{code}"))
    page.select_option("#modality-1", "responsive")
    page.select_option("#area-1", "gbv")
    page.fill("#desc-1", "Psychosocial support sessions")
    page.click("#plan button[type=submit]")
    page.wait_for_load_state()

    # planned: the closure section names it and has no request form
    blocked = page.locator("#closure-blocked")
    assert blocked.count() == 1
    assert "Still open" in blocked.inner_text() and "Planned" in blocked.inner_text()
    assert page.locator(f"#closure form[action='/cases/{code}/close']").count() == 0
    visit.shot("closure-blocked")

    # marked done with a note, from its own form in the plan
    page.click("#intervention-1 summary")
    page.select_option("#pr-st-1", "done")
    page.fill("#pr-note-1", "Six sessions held")
    page.click("#intervention-1 button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("?done=intervention_updated#plan")
    saved = page.locator("#plan [role=status]").inner_text()
    assert saved == "Progress on the intervention is saved."
    line = page.locator("#intervention-1").inner_text()
    assert "Done" in line and "Six sessions held" in line
    assert page.locator("#closure-blocked").count() == 0

    # now the closure goes through (no reassessment: with a reason), approved by the supervisor
    page.click("#closure summary")
    page.select_option("#close-reason", "other")
    page.fill("#close-note", "Support completed")
    page.click("#closure button[type=submit]")
    page.wait_for_load_state()
    assert "Closure requested" in page.locator("dl.facts").inner_text()
    approve_closure(page, visit.base, code)


def test_partner_sees_urgency_and_contact_and_the_caseworker_sees_the_notes(
    visit: Visit,
) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/account")
    page.fill("#work_phone", "+961 1 555 010")
    page.fill("#work_email", "caseworker@demo-agency.example")
    page.click("form[action='/account/contact'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text() == "Your work contact is saved."

    code = _register(visit, "Nour")
    page.click("#referrals summary")
    service = page.locator("#service option[value^='legal-aid/']").first
    page.select_option("#service", service.get_attribute("value"))
    page.check("input[name=shared_fields][value=age]")
    page.select_option("#urgency", "high")
    page.fill("#reason", "Civil documentation")
    page.click("#referrals button[type=submit]")
    page.wait_for_load_state()
    action = page.locator("#referrals form[action*='/referrals/']").first.get_attribute("action")
    assert action
    ref = action.split("/referrals/")[1].split("/")[0]

    sign_in(page, visit.base, "partner", f"/referrals/{ref}")
    assert page.locator("#urgency").inner_text().strip() == "High"
    sender = page.locator("#sender").inner_text()
    assert "caseworker" in sender and "+961 1 555 010" in sender
    assert "caseworker@demo-agency.example" in sender
    assert "Nour" not in page.locator("main").inner_text()  # the name was not shared
    visit.shot("partner-referral-contact")
    page.fill("#note", "We will call her on Tuesday")
    page.click("button.primary")  # accept
    page.wait_for_load_state()
    page.fill("#note", "Birth certificate issued")
    page.click("button.primary")  # service delivered
    page.wait_for_load_state()
    assert "Completed" in page.locator("dl.facts").first.inner_text()

    sign_in(page, visit.base, "caseworker", f"/cases/{code}")
    answers = page.locator("#referrals td.answers").first.inner_text()
    assert "We will call her on Tuesday" in answers
    assert "Birth certificate issued" in answers and "High" in answers
    visit.shot("case-partner-notes")
