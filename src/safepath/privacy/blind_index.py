"""Blind indexes: keyed hashes (HMAC-SHA256 with the non-rotating blind-index key, truncated to
128 bits) of normalised name tokens and phone suffixes, so encrypted fields can be searched
without storing or comparing plaintext.

Normalisation (honest, and no more): Unicode NFKD, accents and Arabic diacritics (tashkeel)
dropped, case folded; Arabic letter forms unified (alef with hamza/madda/wasla → alef,
alef maqsura → ya, ta marbuta → ha, hamza on waw/ya → waw/ya, tatweel removed).
Spelling variants: each token also gets a *consonant skeleton* that maps Arabic letters and Latin
transcriptions onto one consonant alphabet (so "Mohammed", "Muhammad" and "محمد" share "mhmd").
The skeleton over-matches (e.g. "Mahmoud" also gives "mhmd"), so exact-token matches rank first.
The Arabic article is not part of the skeleton: "الحسن", "Al-Hassan", "El Hassan", "Elhassan",
"Alhassan" and "Hassan" all give "hsn" (a written-apart "al"/"el"/"ul"/"ال" is its own token, too
short to index). It is dropped only when what follows still has two consonants ("Ali", "Elias"
and "الياس" keep theirs); a Latin name that merely starts with al/el/ul ("Albert") loses the two
letters everywhere alike, which over-matches a little more and never misses.
Changing the skeleton changes stored digests: ``SCHEME`` names the current rules and
``privacy.reindex`` rebuilds digests made under an older one (``safepath db upgrade`` runs it).
Phones: digits only; the last 8 digits (country and trunk prefixes vary, the subscriber part
does not).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from safepath.privacy.keys import get_keyring

PHONE_DIGITS = 8
MIN_SKELETON = 2
# The normalisation rules the stored digests follow; bump it (with a migration recording the
# older scheme on existing rows, as 0018 does) whenever ``skeleton`` or ``name_tokens`` changes.
SCHEME = 2  # 1: before the Arabic article was dropped from skeletons
_ARABIC_ARTICLE = "ال"
_LATIN_ARTICLES = ("al", "el", "ul")

_ARABIC_FORMS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,
    }
)
# Arabic letter -> consonant class shared with Latin transcriptions ("" = vowel/weak letter).
_ARABIC_SKELETON = str.maketrans(
    {
        "ا": "",
        "ء": "",
        "ع": "",
        "و": "",
        "ي": "",
        "ب": "b",
        "ت": "t",
        "ث": "t",
        "ج": "j",
        "ح": "h",
        "خ": "k",
        "د": "d",
        "ذ": "d",
        "ر": "r",
        "ز": "s",
        "س": "s",
        "ش": "s",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "d",
        "غ": "g",
        "ف": "f",
        "ق": "k",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "",  # mostly ta marbuta (final -a) after normalisation
    }
)
_LATIN_DIGRAPHS = (("kh", "k"), ("sh", "s"), ("th", "t"), ("dh", "d"), ("gh", "g"), ("ph", "f"))
_LATIN_SKELETON = str.maketrans(
    {
        "a": "",
        "e": "",
        "i": "",
        "o": "",
        "u": "",
        "y": "",
        "w": "",
        "q": "k",
        "c": "k",
        "z": "s",
        "x": "ks",
        "v": "f",
        "p": "b",
        "g": "j",  # Egyptian "g" for jim; also folds Latin g/j together
    }
)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold().translate(_ARABIC_FORMS)


def name_tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(normalise(text)) if t]


def without_article(token: str) -> str:
    """The token without a leading Arabic article (either script), when what follows still has a
    skeleton of its own; otherwise the token as it is."""
    if token.startswith(_ARABIC_ARTICLE) or token.startswith(_LATIN_ARTICLES):
        rest = token[2:]
        if len(_consonants(rest)) >= MIN_SKELETON:
            return rest
    return token


def skeleton(token: str) -> str:
    return _consonants(without_article(token))


def _consonants(token: str) -> str:
    if any("\u0600" <= ch <= "\u06ff" for ch in token):
        base = token.translate(_ARABIC_SKELETON)
    else:
        base = token
        for digraph, single in _LATIN_DIGRAPHS:
            base = base.replace(digraph, single)
        if base.endswith("h"):
            base = base[:-1]  # "Fatimah" / "Fatima"; Arabic final ha is a vowel carrier here
        base = base.translate(_LATIN_SKELETON)
    base = re.sub(r"[^a-z]", "", base)
    return re.sub(r"(.)\1+", r"\1", base)  # doubled letters (shadda, "mm") count once


def phone_key(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


def digest(kind: str, value: str) -> str:
    key = get_keyring().blind_index_key
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def name_entries(*names: str | None) -> set[tuple[str, str]]:
    """(kind, digest) pairs for every token of the given names: exact and skeleton."""
    out: set[tuple[str, str]] = set()
    for name in names:
        for token in name_tokens(name or ""):
            out.add(("name", digest("name", token)))
            sk = skeleton(token)
            if len(sk) >= MIN_SKELETON:
                out.add(("namevar", digest("namevar", sk)))
    return out


def phone_entries(phone: str | None) -> set[tuple[str, str]]:
    key = phone_key(phone or "")
    return {("phone", digest("phone", key))} if key else set()


def looks_like_phone(query: str) -> bool:
    return not re.search(r"[^\W\d_]", query) and phone_key(query) is not None
