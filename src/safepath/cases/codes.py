"""Pseudonymous record codes: random, not sequential, unambiguous when read aloud."""

from __future__ import annotations

import secrets

# Crockford base32 without I, L, O, U: no look-alikes.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(prefix: str, length: int = 10) -> str:
    """``prefix-XXXXXXXXXX``: 50 random bits, so guessing another agency's codes is hopeless."""
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(length))
