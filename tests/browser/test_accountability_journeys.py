"""Accountability in a real browser, on the demo server all browser tests share: a complaint
taken by staff and handled to closure (and one routed to the PSEA focal point, out of the case
staff's sight and reports); the public form without JavaScript refusing a flood; an advocacy
issue raised, acted on, answered, edited and closed, with its areas' latest phase from the
analysis; a project tagged, edited and self-assessed twice, with its progress, the roll-up and
the report by pillar."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
SAID = "The water point at the school has been broken for two weeks"


def _submit(page: Any, selector: str) -> Any:
    """Click a form's submit button and wait for the page it leads to; that page's response."""
    with page.expect_navigation() as nav:
        page.click(selector)
    page.wait_for_load_state()
    return nav.value


def _context(browser: Any, **options: Any) -> Any:
    context = browser.new_context(locale="en-GB", **options)
    context.set_default_timeout(15_000)
    return context


def test_staff_take_a_complaint_and_handle_it_to_closure(
    browser: Any, live_server: LiveServer
) -> None:
    base = live_server.url
    context = _context(browser)
    page = context.new_page()
    try:
        sign_in(page, base, "caseworker", next_path="/complaints")
        page.select_option("#channel", "hotline")
        page.select_option("#category", "assistance_quality")
        page.fill("#description", SAID)
        page.fill("#place_pcode", "XM0102")
        page.fill("#contact", "+000 555 0142")
        page.check("input[name=contact_consent]")
        _submit(page, "form.form button.primary")
        code = page.locator("h1 code").inner_text()
        assert code.startswith("CP-") and SAID in page.locator("#complaint").inner_text()
        # a second one turns out to be about abuse by staff: routed to the PSEA focal point
        page.goto(f"{base}/complaints")
        page.select_option("#category", "information_request")
        page.fill("#description", "A guard asked for money to let us into the queue")
        _submit(page, "form.form button.primary")
        routed = page.locator("h1 code").inner_text()
        page.select_option("#new-category", "staff_misconduct")
        _submit(page, "#recategorise button")
        assert "routed to the PSEA focal point" in page.locator("main").inner_text()
        assert routed not in page.locator("#complaints").inner_text()

        sign_in(page, base, "supervisor", next_path=f"/complaints/{code}")
        _submit(page, "#acknowledge button")
        assert "Acknowledged" in page.locator("#complaint").inner_text()
        page.select_option("#assignee", "caseworker")
        _submit(page, "#assign button")
        assert "caseworker" in page.locator("#complaint").inner_text()
        page.fill("#response", "The WASH partner repairs it on Monday")
        _submit(page, "#respond button")
        page.fill("#feedback_given", "Called the person back with the repair date")
        _submit(page, "#close button")
        facts = page.locator("#complaint").inner_text()
        assert "Closed" in facts and "Called the person back" in facts
        assert page.locator("#close").count() == 0  # nothing left to do
        # the routed complaint: not in the supervisor's list, record or report
        page.goto(f"{base}/complaints")
        assert code in page.locator("#complaints").inner_text()
        assert routed not in page.locator("main").inner_text()
        assert page.goto(f"{base}/complaints/{routed}").status == 404
        page.goto(f"{base}/complaints/report?by=category")
        assert "Staff misconduct" not in page.locator("#report").inner_text()

        sign_in(page, base, "psea", next_path="/complaints/report?by=category")
        assert "Staff misconduct" in page.locator("#report").inner_text()
        page.goto(f"{base}/complaints/{routed}")
        assert "A guard asked for money" in page.locator("#complaint").inner_text()
    finally:
        context.close()


def _clear_public_counter(live_server: LiveServer) -> None:
    """The flood limit counts per address for an hour: the other browser tests send from the
    same address, so the count this test ran up is removed from the server's database."""
    with closing(sqlite3.connect(live_server.data_dir / "safepath.db")) as db, db:
        db.execute("DELETE FROM login_throttle WHERE key LIKE 'complaint-ip:%'")


def test_the_public_form_without_script_refuses_a_flood(
    browser: Any, live_server: LiveServer
) -> None:
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
    statuses: list[int] = []
    try:
        for n in range(12):  # the demo's limit is 10 an hour per address
            page.goto(f"{live_server.url}/feedback")
            page.select_option("#category", "suggestion_appreciation")
            page.fill("#description", f"Thank you for the evening distribution ({n})")
            response = _submit(page, "form.form button.primary")
            statuses.append(response.status)
            if response.status == 429:
                break
        assert statuses[0] == 200 and page.locator("#reference").count() == 0
        assert statuses[-1] == 429 and 200 in statuses[:-1]
        assert "too many complaints" in page.locator("main").inner_text()
        assert page.locator("#description").input_value().startswith("Thank you")  # kept
    finally:
        context.close()
        _clear_public_counter(live_server)


def test_an_advocacy_issue_from_raising_to_closing(browser: Any, live_server: LiveServer) -> None:
    base = live_server.url
    context = _context(browser)
    page = context.new_page()
    today = date.today()
    try:
        sign_in(page, base, "supervisor", next_path="/advocacy")
        page.fill("#title", "Water points closed to displaced families")
        page.fill("#duty_bearer", "District water authority")
        page.select_option("#duty_bearer_level", "local")
        page.check("input[name=rights][value=health]")
        page.fill("#areas", "XM0102")
        _submit(page, "form.form button.primary")
        code = page.url.rsplit("/", 1)[1]
        facts = page.locator("#issue").inner_text()
        # the area's latest phase from the demo's classified round, with its date and source
        assert re.search(r"latest area phase: .+ \(\d\)", facts), facts
        assert "protection monitoring" in facts
        page.fill("#description", "Met the director with the cluster")
        page.fill("#taken_on", (today - timedelta(days=3)).isoformat())
        _submit(page, "#add-action button")
        assert "Met the director" in page.locator("#actions").inner_text()
        assert "In progress" in page.locator("#issue").inner_text()
        form = page.locator("#actions form").first
        form.locator("textarea[name=response]").fill("Agreed to reopen two points")
        form.locator("input[name=response_on]").fill(today.isoformat())
        _submit(page, "#actions form button")
        assert "Agreed to reopen two points" in page.locator("#actions").inner_text()
        page.fill("#edit-duty_bearer", "Ministry of Water")
        page.select_option("#edit-duty_bearer_level", "national")
        _submit(page, "#edit-issue button")
        assert "Ministry of Water" in page.locator("#issue").inner_text()
        page.select_option("#status", "achieved")
        _submit(page, "#set-status button")
        assert "Achieved" in page.locator("#issue").inner_text()
        # the area page puts the phase, the cases and this issue side by side
        page.goto(f"{base}/areas/XM0102")
        assert "protection monitoring" in page.locator("#analysis-phase").inner_text()
        assert f"/advocacy/{code}" in page.locator("#area").inner_html()
    finally:
        context.close()


def _fill_checklist(page: Any, score: str, day: date) -> None:
    page.fill("#assessed_on", day.isoformat())
    for select in page.locator("#new-assessment select[name^=score-]").all():
        select.select_option(score)
    _submit(page, "#new-assessment button.primary")


def _pillar_cell(page: Any, pillar: str, column: int) -> str:
    row = page.locator("#pillars tbody tr", has_text=pillar).first
    return str(row.locator("td").nth(column).inner_text())


def test_a_project_tagged_edited_and_assessed_twice(browser: Any, live_server: LiveServer) -> None:
    base = live_server.url
    context = _context(browser)
    page = context.new_page()
    today = date.today()
    try:
        sign_in(page, base, "analyst", next_path="/projects")
        before = int(_pillar_cell(page, "Partnership", 0))
        page.fill("#name", "Water and sanitation in the camps")
        page.select_option("#programming_type", "mainstreaming")
        page.check("input[name=pillars][value=capacity]")
        _submit(page, "form.form button.primary")
        page.select_option("#edit-programming_type", "integration")
        page.uncheck("#edit-project input[name=pillars][value=capacity]")
        page.check("#edit-project input[name=pillars][value=partnership]")
        _submit(page, "#edit-project button")
        facts = page.locator("dl.facts").first.inner_text()
        assert "integration" in facts.lower() and "Partnership" in facts
        _fill_checklist(page, "1", today - timedelta(days=120))
        _fill_checklist(page, "3", today - timedelta(days=5))
        scores = page.locator("#assessments tbody").inner_text()
        assert "33.3" in scores and "100.0" in scores
        # every cell rose by 2 points: 66.7 percentage points in all
        assert "66.7" in page.locator("#progress").inner_text()
        page.goto(f"{base}/projects")
        assert int(_pillar_cell(page, "Partnership", 0)) == before + 1
        assert "Water and sanitation in the camps" in page.locator("#projects").inner_text()
        assert page.locator("#rollup tbody tr").count() == 5
    finally:
        context.close()
