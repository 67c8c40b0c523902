"""What JavaScript adds, in a real browser: htmx refreshes the case list in place, the form
hides questions that do not apply, and the browser flags a bad answer before it is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tests.browser.journey import sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


def test_case_filters_refresh_the_results_in_place(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/cases")
    page.evaluate("document.querySelector('h1').dataset.marker = 'kept'")
    total_all = page.locator("#results [role=status]").inner_text()
    page.select_option("select[name=risk_level]", "high")
    page.wait_for_url("**/cases?*risk_level=high*")
    page.wait_for_function(
        "t => !document.querySelector('#results').textContent.includes(t)", arg=total_all
    )
    # same document (no full navigation), the address bar follows, rows are all high
    assert page.evaluate("document.querySelector('h1').dataset.marker") == "kept"
    levels = page.locator("#results tbody td:nth-child(2)").all_inner_texts()
    assert levels and all(t == "High" for t in levels)


def test_questions_that_do_not_apply_are_hidden(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/forms/screening?lang=en")
    screening = page.locator("fieldset.group[data-relevant=\"${consent} = 'yes'\"]")
    assert screening.is_hidden()  # no consent yet
    page.check("input[name=consent][value=yes]")
    assert screening.is_visible()
    unaccompanied = page.locator(".q[data-name=resp_unaccompanied]")
    page.fill("input[name=resp_age]", "30")
    page.locator("input[name=resp_age]").dispatch_event("change")
    assert unaccompanied.is_hidden()
    page.fill("input[name=resp_age]", "15")
    page.locator("input[name=resp_age]").dispatch_event("change")
    assert unaccompanied.is_visible()
    # hidden questions are disabled, so they are neither required nor sent
    page.check("input[name=consent][value=no]")
    assert page.locator("input[name=resp_age]").is_disabled()


def test_the_browser_flags_a_bad_answer_inline(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    visit.go("/forms/screening?lang=en")
    field = page.locator("input[name=adm1_pcode]")
    field.fill("bad")
    assert page.evaluate("document.querySelector('[name=adm1_pcode]').validity.patternMismatch")
    field.fill("XM01")
    assert page.evaluate("document.querySelector('[name=adm1_pcode]').validity.valid")


def test_without_javascript_the_server_explains_each_problem(browser: object, visit: Visit) -> None:
    context = visit.page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, visit.base, "caseworker")
        page.goto(f"{visit.base}/forms/screening?lang=fr")
        page.fill("input[name=adm1_pcode]", "XM01")
        page.fill("input[name=adm2_pcode]", "XM0101")
        page.check("input[name=consent][value=yes]")
        page.click("form.xlsform button.primary")
        page.wait_for_load_state()
        assert page.locator(".q.invalid").count() > 5
        assert page.locator("[role=alert]").first.is_visible()
        assert "Cette réponse est obligatoire." in page.locator(".q.invalid").first.inner_text()
    finally:
        context.close()
