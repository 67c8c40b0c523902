"""Which files may be attached to a case, told by their first bytes (magic numbers), never by the
name or the Content-Type the client sends: a program renamed ``scan.pdf`` is still refused.

Accepted: the formats of a scanned document or a phone photo (PDF, JPEG, PNG, WebP, HEIC/HEIF).
"""

from __future__ import annotations

# media type -> file name extension used when the uploader gave no name
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}
ACCEPTED = "PDF, JPEG, PNG, WebP or HEIC"
# ISO base media "ftyp" brands: HEVC-coded HEIC, and the generic HEIF image brands
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"heif"})


def sniff(content: bytes) -> str | None:
    """The media type of ``content`` when it is an accepted format, else ``None``."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp":
        brand = content[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _HEIF_BRANDS:
            return "image/heif"
    return None
