"""What every page form handler shares: read the posted fields, pick one value, read the record
version the form was built on, and turn a pydantic validation error into the domain's refusal."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError

from safepath.errors import ValidationFailed

Posted = dict[str, list[str]]


async def read_form(request: Request) -> Posted:
    """Every posted text field, each with all its values (checkboxes repeat a name)."""
    data = await request.form()
    out: Posted = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def first(post: Posted, name: str) -> str | None:
    """The first value of ``name``, stripped; ``None`` when absent or blank."""
    value = (post.get(name) or [""])[0].strip()
    return value or None


def version(post: Posted) -> int | None:
    """The version of the record the form was built on (``None``: not sent, or not a number).

    The services refuse a write without it (428) and with a stale one (412), so the page shows
    the form again with the message: a form never overwrites someone else's change unseen."""
    raw = first(post, "version") or ""
    return int(raw) if raw.isdigit() else None


def invalid(exc: ValidationError, lang: str = "en") -> ValidationFailed:
    """Every problem at once, in words and in the reader's language (``form_errors``)."""
    from safepath.web.form_errors import in_words

    return in_words([exc], lang)
