"""Browser steps shared by the journey tests: sign in, fill the screening form."""

from __future__ import annotations

from typing import Any

ANSWERS = {
    "adm1_pcode": "XM01",
    "adm2_pcode": "XM0101",
    "resp_age": "34",
    "hh_size": "1",
}


def sign_in(
    page: Any, base: str, username: str, next_path: str = "/work", lang: str = "en"
) -> None:
    """A fresh sign-in, reading in ``lang`` (the browser's choice wins over the account's,
    which other tests may have changed)."""
    page.context.clear_cookies()
    page.goto(f"{base}/catalogue?lang={lang}")
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#username", username)
    page.fill("#password", f"{username}-demo-pass")
    # wait for the page after sign-in: the login page's own URL ends with ``next`` too
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def fill_screening(page: Any, choice: int) -> None:
    """Answer every visible question: the typed ones from ANSWERS, each choice question with its
    ``choice``-th option (the last when it has fewer), consent with yes."""
    page.check("input[name=consent][value=yes]")
    for name, value in ANSWERS.items():
        page.fill(f"input[name={name}]", value)
    page.locator("input[name=hh_size]").dispatch_event("change")
    page.select_option("select[name=nationality]", "SDN")  # chosen from the ISO list
    for group in page.locator(".q:visible fieldset").all():
        options = group.locator("input:visible")
        n = options.count()
        if n == 0 or group.locator("input[name=consent]").count():
            continue
        options.nth(min(choice, n - 1)).check()
        if group.locator("input[type=checkbox]").count():
            break_on_none = options.nth(min(choice, n - 1)).get_attribute("value") == "none"
            if break_on_none:
                continue


def approve_closure(page: Any, base: str, code: str) -> None:
    """The supervisor approves the closure the caseworker requested; the case reads Closed."""
    sign_in(page, base, "supervisor")
    page.goto(f"{base}/cases/{code}")
    page.click("#closure form[action$='/close/approve'] button")
    page.wait_for_load_state()
    assert "Closed" in page.locator("dl.facts").first.inner_text()
