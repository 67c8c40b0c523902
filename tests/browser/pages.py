"""The main pages every browser check visits (accessibility, weight, screenshots)."""

from __future__ import annotations

# (path, who must be signed in: None = anonymous)
MAIN_PAGES: list[tuple[str, str | None]] = [
    ("/", None),
    ("/catalogue", None),
    ("/catalogue/gpc_risks", None),
    ("/?lang=ar", None),
]
