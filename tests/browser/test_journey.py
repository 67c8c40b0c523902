"""The caseworker's journey from registration to closure with an outcome, in a real browser,
with the supervisor's approvals and the partner who sees only what was shared."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import approve_closure, fill_screening, sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser
XSS = "<script>alert(1)</script>"


def _register(visit: Visit, given: str) -> str:
    page = visit.page
    visit.go("/register")
    page.fill("#given_name", given)
    page.fill("#family_name", "Test")
    page.select_option("#sex", "female")
    page.fill("#age", "34")
    page.fill("#place_pcode", "XM0101")
    for purpose in ("case_management", "referral_sharing"):
        page.check(f"input[name=consent][value={purpose}]")
    page.check("input[name=thematic_areas][value=gbv]")
    page.fill("#narrative", "Narrative that must never reach the partner")
    page.click("form.form button.primary")
    page.wait_for_url(re.compile(r"/cases/CS-"))
    code: str = page.url.rsplit("/", 1)[-1]
    return code


def test_registered_name_is_shown_as_text(visit: Visit) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    visit.page.on("dialog", on_dialog)
    sign_in(visit.page, visit.base, "caseworker")
    code = _register(visit, XSS)
    text = visit.page.locator("dl.facts dd").first.inner_text()
    assert XSS in text
    assert visit.page.locator("main script").count() == 0
    assert dialogs == []
    html = visit.page.content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert code.startswith("CS-")


def test_caseworker_journey_to_closure(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    code = _register(visit, "Amina")
    assert "Amina" in page.locator("dl.facts").inner_text()

    # baseline assessment: high answers
    visit.go(f"/cases/{code}/assess")
    fill_screening(page, choice=0)
    page.click("form.xlsform button.primary")
    page.wait_for_url(re.compile(rf"/cases/{code}"))
    assert page.locator("#risk svg.chart").count() == 2
    baseline_r = page.locator("#risk .equation").inner_text()
    visit.shot("case-assessed")

    # plan, approved by the supervisor
    page.select_option("#modality-1", "responsive")
    page.select_option("#area-1", "gbv")
    page.fill("#desc-1", "Safe shelter and psychosocial support")
    page.click("#plan button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#plan").get_by_text("Draft").count() >= 1
    # a confirmation where the form was, not a jump to the top of the page
    assert page.url.endswith("?done=plan_saved#plan")
    assert page.locator("#plan [role=status]").inner_text() == "The plan is saved."
    sign_in(page, visit.base, "supervisor")
    visit.go(f"/cases/{code}")
    page.click("#plan form[action$='/plan/approve'] button")
    page.wait_for_load_state()
    assert "Plan approved" in page.locator("dl.facts").inner_text()

    # referral sharing two fields only
    sign_in(page, visit.base, "caseworker")
    visit.go(f"/cases/{code}")
    partner_service = page.locator("#service option[value^='legal-aid/']").first
    page.click("#referrals summary")  # the form opens on demand
    page.select_option("#service", partner_service.get_attribute("value"))
    page.check("input[name=shared_fields][value=age]")
    page.check("input[name=shared_fields][value=risk_level]")
    page.fill("#reason", "Legal counselling")
    page.click("#referrals button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#referrals tbody tr").count() == 1
    assert page.locator("#referrals tbody td").first.inner_text().startswith("legal-aid/")

    # the partner sees the referral with the two shared fields and nothing else
    sign_in(page, visit.base, "partner", "/inbox")
    assert page.url.endswith("/inbox")
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    shared = page.locator("#shared").inner_text()
    assert "Age" in shared and "34" in shared and "Risk level" in shared
    body = page.locator("main").inner_text()
    assert "Amina" not in body and "Narrative" not in body
    visit.shot("partner-referral")
    page.click("button.primary")  # accept
    page.wait_for_load_state()
    page.click("button.primary")  # service delivered
    page.wait_for_load_state()
    assert "Completed" in page.locator("dl.facts").first.inner_text()
    assert visit.go(f"/cases/{code}").status in (303, 200)
    assert page.url.endswith("/inbox")  # the partner never gets the case page
    sign_in(page, visit.base, "caseworker")
    visit.go(f"/cases/{code}")

    # follow-up
    page.click("#follow-ups summary")
    page.select_option("#kind", "call")
    page.fill("#fu-note", "Called, person safe")
    page.click("#follow-ups button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#follow-ups [role=status]").inner_text() == "The follow-up is recorded."
    assert page.locator("#follow-ups details").get_attribute("open") is None  # closed again
    assert "Called, person safe" in page.locator("#follow-ups").inner_text()

    # reassessment with lower answers, then closure requested and approved
    visit.go(f"/cases/{code}/assess")
    fill_screening(page, choice=99)
    page.click("form.xlsform button.primary")
    page.wait_for_url(re.compile(rf"/cases/{code}"))
    assert page.locator("#risk tbody tr").count() >= 2
    assert page.locator("#risk .equation").inner_text() != baseline_r
    # the plan carried out first: closure waits for its intervention
    assert page.locator("#closure-blocked").count() == 1
    page.click("#intervention-1 summary")
    page.select_option("#pr-st-1", "done")
    page.fill("#pr-note-1", "Shelter place found")
    page.click("#intervention-1 button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#closure-blocked").count() == 0
    page.click("#closure summary")
    page.fill("#close-note", "Goals met")
    page.click("#closure button[type=submit]")
    page.wait_for_load_state()
    assert "Closure requested" in page.locator("dl.facts").inner_text()
    approve_closure(page, visit.base, code)
    outcome = page.locator("#closure").inner_text()
    assert "Outcome" in outcome and "Change in risk" in outcome
    visit.shot("case-closed")
