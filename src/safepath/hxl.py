"""HXL hashtags (``#adm+code+parent``: tag plus attributes, in any order): finding the hashtag row
under a table's header and the columns a hashtag names. Every table reader uses it, so a
hashtag row is never read as a record."""

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


def is_hashtag_row(row: list[str]) -> bool:
    """A row made (at least half) of HXL hashtags."""
    cells = [c.strip() for c in row if c.strip()]
    hashtags = [c for c in cells if c.startswith("#") and HashtagSpec.parse(c) is not None]
    return bool(cells) and len(hashtags) >= max(1, len(cells) // 2)


def hashtag_row_index(rows: list[list[str]], *, look_ahead: int = 5) -> int | None:
    """HXL puts the hashtag row under the header; find the first row made of hashtags."""
    for i, row in enumerate(rows[:look_ahead]):
        if is_hashtag_row(row):
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
