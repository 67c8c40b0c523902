"""The public complaint form in a real browser with JavaScript off and no account, then the PSEA
focal point who alone sees the sensitive complaint it sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
SAID = "A volunteer at the distribution asked for sex for a ration card"


def test_public_form_without_script_then_the_psea_focal_point(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/feedback")
        page.select_option("#category", "sexual_exploitation_abuse")
        page.fill("#description", SAID)
        page.fill("#place_pcode", "XM0101")
        page.click("form.form button.primary")
        page.wait_for_load_state()
        code = page.locator("#reference").inner_text()
        assert code.startswith("CP-")
    finally:
        context.close()
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server.url, "psea", next_path="/complaints")
        assert code in page.locator("#complaints").inner_text()
        page.click(f"a[href='/complaints/{code}']")
        assert SAID in page.locator("#complaint").inner_text()
        page.click("#acknowledge button")
        page.wait_for_load_state()
        assert "Acknowledged" in page.locator("#complaint").inner_text()
        sign_in(page, live_server.url, "supervisor", next_path="/complaints")
        assert code not in page.locator("main").inner_text()
        response = page.goto(f"{live_server.url}/complaints/{code}")
        assert response is not None and response.status == 404
    finally:
        context.close()
