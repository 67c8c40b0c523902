"""Finding columns by HXL hashtag (``#adm+code+parent``): tag plus attributes, in any order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HashtagSpec:
    tag: str
    attributes: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> HashtagSpec | None:
        text = text.strip().lower()
        if not text.startswith("#"):
            return None
        parts = [p.strip() for p in text[1:].split("+")]
        if not parts[0]:
            return None
        return cls(parts[0], frozenset(p for p in parts[1:] if p))

    def __str__(self) -> str:
        return "#" + "+".join([self.tag, *sorted(self.attributes)])


def hashtag_row_index(rows: list[list[str]], *, look_ahead: int = 5) -> int | None:
    """HXL puts the hashtag row under the header; find the first row made of hashtags."""
    for i, row in enumerate(rows[:look_ahead]):
        cells = [c.strip() for c in row if c.strip()]
        if cells and sum(c.startswith("#") for c in cells) >= max(1, len(cells) // 2):
            return i
    return None


def find_columns(
    hashtags: list[HashtagSpec | None], wanted: str, *, exclude: frozenset[str] = frozenset()
) -> list[int]:
    """Every column matching ``wanted``: HXL allows extra attributes unless excluded."""
    spec = HashtagSpec.parse(wanted)
    assert spec is not None
    return [
        i
        for i, h in enumerate(hashtags)
        if h is not None
        and h.tag == spec.tag
        and spec.attributes <= h.attributes
        and not (exclude & h.attributes)
    ]


def find_column(
    hashtags: list[HashtagSpec | None], wanted: str, *, exclude: frozenset[str] = frozenset()
) -> int | None:
    """The first column matching ``wanted``: HXL allows extra attributes unless excluded."""
    found = find_columns(hashtags, wanted, exclude=exclude)
    return found[0] if found else None
