"""The services directory in a real browser: the admin opens /admin/services from the menu, adds
a service with a place typed in lower case, sees the confirmation and the service in the list;
a service with an unknown place is refused with the message next to the places field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tests.browser.journey import sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


def test_admin_adds_a_service(visit: Visit) -> None:
    page = visit.page
    sign_in(page, visit.base, "admin", next_path="/admin")
    with page.expect_navigation():
        page.click("nav a[href='/admin/services']")
    page.fill("#svc-code", "night-shelter")
    page.fill("#svc-name", "Night shelter")
    page.select_option("#svc-thematic_area", "legal_identity")
    page.fill("#svc-place-1", "nowhere-at-all")
    with page.expect_navigation():
        page.click("#service-form button[type=submit]")
    assert "nowhere-at-all" in page.locator("#svc-places-err").inner_text()
    assert page.locator("#svc-place-1").get_attribute("aria-invalid") == "true"
    assert page.input_value("#svc-name") == "Night shelter"  # the form keeps what was typed
    page.fill("#svc-place-1", "xm0102")
    page.fill("#svc-contact", "+961 1 234 567")
    with page.expect_navigation():
        page.click("#service-form button[type=submit]")
    assert "The service night-shelter is saved." in page.locator("[role=status]").inner_text()
    row = page.locator("#services tr", has_text="night-shelter")
    assert "Night shelter" in row.inner_text() and "XM0102" in row.inner_text()
    assert "Legal identity" in row.inner_text()
