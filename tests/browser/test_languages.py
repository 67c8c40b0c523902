"""Home and catalogue in a real browser in each language; Arabic lays out right-to-left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tests.browser.journey import sign_in
from tests.browser.pages import MAIN_PAGES, prepare, shot_name

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

HEADINGS = {"en": "Catalogue", "fr": "Catalogue", "es": "Catálogo", "ar": "الفهرس"}


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_home_and_catalogue_in_each_language(visit: Visit, lang: str) -> None:
    assert visit.go(f"/?lang={lang}").status == 200
    html = visit.page.locator("html")
    assert html.get_attribute("lang") == lang
    expected_dir = "rtl" if lang == "ar" else "ltr"
    assert html.get_attribute("dir") == expected_dir
    assert visit.page.evaluate("getComputedStyle(document.body).direction") == expected_dir
    visit.shot(f"home-{lang}")
    # the choice is remembered: the next page comes in the same language without ?lang=
    visit.go("/catalogue")
    assert visit.page.locator("h1").inner_text() == HEADINGS[lang]
    assert visit.page.locator("html").get_attribute("dir") == expected_dir
    visit.shot(f"catalogue-{lang}")
    visit.go("/catalogue/gpc_risks")
    assert visit.page.locator("tbody tr").count() == 15
    visit.shot(f"catalogue-gpc-risks-{lang}")


def test_arabic_mirrors_the_layout(visit: Visit) -> None:
    """In Arabic the brand sits at the right edge: logical CSS properties mirror the header."""
    visit.go("/?lang=ar")
    width = visit.page.viewport_size["width"]
    box = visit.page.locator(".brand").bounding_box()
    assert box is not None and box["x"] > width / 2
    visit.go("/?lang=en")
    box = visit.page.locator(".brand").bounding_box()
    assert box is not None and box["x"] < width / 2


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_screenshots_of_the_main_pages(visit: Visit, lang: str) -> None:
    """Every main page renders in the language (and direction) chosen; a screenshot of each."""
    current: str | None = ""
    for path, user in MAIN_PAGES:
        if user != current:  # signed in as each page's user (a user may come back later)
            if user:
                sign_in(visit.page, visit.base, user)
            visit.go(f"/catalogue?lang={lang}")  # the choice is remembered by a cookie
            current = user
        target = prepare(visit.page, visit.base, path, None)
        response = visit.go(target)
        assert response.status == 200, target
        assert visit.page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert visit.page.locator("h1").count() == 1
        assert visit.shot(shot_name(path, lang)).stat().st_size > 1000
