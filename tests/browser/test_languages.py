"""Home and catalogue in a real browser in each language; Arabic lays out right-to-left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

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
