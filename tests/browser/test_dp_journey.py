"""The consent panel and the audit trail in a real browser: a caseworker records and withdraws
a consent on a case (the browser itself refuses the withdrawal until the box is ticked), then the
auditor finds both events in the trail by user and action, and verifies the chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in
from tests.browser.pages import prepare

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


def _analysis(page: Any) -> Any:
    return page.locator("#consent tr[data-purpose=analysis]")


def _give(p: Any) -> None:
    p.locator("#consent details.form-box summary").click()
    p.select_option("#consent-purpose", "analysis")
    p.select_option("#consent-given-by", "person")
    with p.expect_navigation():
        p.click("#consent details.form-box form button[type=submit]")
    assert "The consent is recorded." in p.locator("#consent [role=status]").inner_text()
    assert "Given" in _analysis(p).inner_text()


def _withdraw(p: Any) -> None:
    row = _analysis(p)
    row.locator("summary").click()
    before = p.url
    row.locator("button[type=submit]").click()
    # the box is required: the browser does not send the form
    assert p.url == before
    assert row.locator("input[name=confirm]").evaluate("e => e.validity.valueMissing")
    row.locator("input[name=confirm]").check()
    with p.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "The consent is withdrawn." in p.locator("#consent [role=status]").inner_text()
    assert "Withdrawn" in _analysis(p).inner_text()


def test_consent_panel_then_the_audit_trail(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "caseworker")
    case = prepare(page, visit.base, "/cases/{case}", None)
    visit.go(case)
    person = page.locator("dl.facts code").first.inner_text()
    # both ways, ending as the demo had it
    if "Given" in _analysis(page).inner_text():
        _withdraw(page)
        _give(page)
    else:
        _give(page)
        _withdraw(page)
    visit.shot("case-consent-en")

    sign_in(page, visit.base, "auditor")
    assert page.url.endswith("/audit")
    page.fill("input[name=user]", "caseworker")
    page.select_option("select[name=action]", "consent")
    page.fill("input[name=person]", person)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("table.audit-trail tbody tr").all_inner_texts()
    assert len(rows) >= 2, rows
    assert all("caseworker" in r and "consent" in r and person in r for r in rows), rows
    # read-only: no form on the page but the filters
    assert page.locator("main form").count() == 1
    visit.shot("audit-trail-en")
    with page.expect_navigation():
        page.click("text=Verify the chain")
    assert "The audit chain is intact" in page.locator("#verify-result").inner_text()
