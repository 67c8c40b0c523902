"""Phone-sized pages: at a 390 px viewport no main page scrolls sideways, in any language (a
caseworker on a phone must not pan to reach a case's risk or a form's submit button)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in
from tests.browser.pages import MAIN_PAGES, prepare

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

WIDTH = 390
# The widest element that sticks out (for the failure message): what a developer must fix.
WIDEST = """() => {
  const w = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.skip, .visually-hidden')) continue;  // off screen on purpose
    const r = el.getBoundingClientRect();
    const over = Math.max(r.right - w, -r.left);
    if (over > 1 && (!worst || over > worst.over)) {
      const parent = el.parentElement;
      worst = {over: Math.round(over), tag: el.tagName, cls: el.className, id: el.id,
               parent: parent ? parent.tagName + '.' + parent.className : '',
               text: (el.textContent || '').trim().slice(0, 40)};
    }
  }
  return {scroll: document.documentElement.scrollWidth, worst};
}"""


LANGS = ("en", "fr", "es", "ar")


def test_no_page_is_wider_than_a_phone(browser: Any, live_server: LiveServer) -> None:
    """Every main page in every language (one sign-in per user, then each page per language)."""
    too_wide: dict[str, Any] = {}
    users = sorted({u or "" for _, u in MAIN_PAGES})
    for user in users:
        context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            if user:
                sign_in(page, live_server.url, user)
            for path, who in MAIN_PAGES:
                if (who or "") != user:
                    continue
                target = prepare(page, live_server.url, path, None)
                sep = "&" if "?" in target else "?"
                for lang in LANGS:
                    page.goto(f"{live_server.url}{target}{sep}lang={lang}")
                    assert page.locator("html").get_attribute("lang") == lang, target
                    measured = page.evaluate(WIDEST)
                    if measured["scroll"] > WIDTH:
                        too_wide[f"{lang} {path}"] = measured
        finally:
            context.close()
    assert not too_wide, json.dumps(too_wide, indent=1, ensure_ascii=False)
