"""The main pages every browser check visits (accessibility, weight, screenshots)."""

from __future__ import annotations

from typing import Any

# (path, who is signed in: None = anonymous); {case} is a demo case the caseworker holds.
MAIN_PAGES: list[tuple[str, str | None]] = [
    ("/", None),
    ("/catalogue", None),
    ("/catalogue/gpc_risks", None),
    ("/login", None),
    ("/work", "caseworker"),
    ("/cases", "caseworker"),
    ("/register", "caseworker"),
    ("/cases/{case}", "caseworker"),
    ("/cases/{case}/assess", "caseworker"),
    ("/team", "supervisor"),
    ("/inbox", "partner"),
    ("/analysis/outcomes", "analyst"),
    ("/analysis/areas", "analyst"),
    ("/data-protection", "dpo"),
    ("/analysis/paf", "analyst"),
    ("/admin", "admin"),
    ("/admin/services", "admin"),
    ("/admin/places", "admin"),
    ("/audit", "auditor"),
    ("/keys", "auditor"),
    ("/retention", "auditor"),
    ("/privacy/subjects", "dpo"),
]


def prepare(page: Any, base: str, path: str, user: str | None) -> str:
    """Sign in as ``user`` (if any); the concrete path to open (a real case for ``{case}``)."""
    from tests.browser.journey import sign_in

    if user:
        sign_in(page, base, user)
    if "{case}" in path:
        page.goto(f"{base}/cases?sort=-phase")
        href = page.locator("#results tbody a").first.get_attribute("href")
        path = path.replace("/cases/{case}", href)
    return path


def open_as(page: Any, base: str, path: str, user: str | None) -> Any:
    """Sign in as ``user`` (if any) and open ``path``; returns the navigation response."""
    return page.goto(base + prepare(page, base, path, user))


def shot_name(path: str, lang: str = "en") -> str:
    slug = path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "home"
    return f"{slug}-{lang}"
