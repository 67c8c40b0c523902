"""Usernames and passwords people can trust.

Usernames are NFKC-normalised, trimmed and lower-cased, restricted to a safe ASCII alphabet (no
look-alike letters from other scripts, no bidi controls, nothing a spreadsheet reads as a formula),
and unique by a confusable skeleton ("rn" ~ "m", "0" ~ "o", "1" ~ "i" ~ "l"), so ``admin`` cannot be
impersonated by ``adrnin`` or ``adm1n``. Passwords need 12 characters, must not contain the
username, and must pass zxcvbn (score >= 3), whose frequency lists also refuse common passwords.
"""

from __future__ import annotations

import re
import unicodedata

from zxcvbn import zxcvbn

from safepath.errors import Problem, ValidationFailed

MIN_PASSWORD = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attacks"
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
AGENCY = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
_SKELETON = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("i", "l"), ("_", "."), ("-", "."))


def normalise_username(raw: str) -> str:
    """The canonical form used to store and to look up a username."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def check_username(raw: str) -> str:
    name = normalise_username(raw)
    if not USERNAME.fullmatch(name):
        raise ValidationFailed(
            "usernames are 2 to 40 characters: a letter first, then letters a-z, digits, "
            "'.', '_' or '-'",
            problems=[Problem("not a valid username", column="username", value=raw)],
        )
    return name


def skeleton(name: str) -> str:
    out = normalise_username(name)
    for a, b in _SKELETON:
        out = out.replace(a, b)
    return out


def check_agency(raw: str) -> str:
    code = unicodedata.normalize("NFKC", raw).strip().lower()
    if not AGENCY.fullmatch(code):
        raise ValidationFailed(
            "agency codes are 2 to 60 characters: letters a-z, digits, '.', '_' or '-'",
            problems=[Problem("not a valid agency code", column="agency", value=raw)],
        )
    return code


def check_password(password: str, username: str) -> None:
    problems: list[str] = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"passwords need at least {MIN_PASSWORD} characters")
    name = normalise_username(username)
    if name and name in password.lower():
        problems.append("the password must not contain the username")
    if not problems:
        result = zxcvbn(password[:100], user_inputs=[name])
        if result["score"] < MIN_SCORE:
            hint = result["feedback"].get("warning") or "add more unusual words"
            problems.append(f"the password is too easy to guess ({hint})")
    if problems:
        raise ValidationFailed(
            "; ".join(problems),
            problems=[Problem(p, column="password") for p in problems],
        )
