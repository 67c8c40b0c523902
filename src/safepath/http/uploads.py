"""Uploads and downloads of files that must never touch the disk in clear (case attachments),
shared by the API and the pages.

A ``multipart/form-data`` body is read into memory: Starlette's form parser spools every file
over 1 MiB to a temporary file, which would leave a plaintext copy of a scanned document on disk.

The body is parsed as it streams in, and a file part is refused with 413 naming its field the
moment it passes ``file_limit``, so memory stays within the limit plus the small text fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from safepath.errors import PayloadTooLarge, Problem, UnsupportedMediaType, ValidationFailed

TEXT_LIMIT = 64 * 1024  # one text field (a CSRF token, a note)
MAX_PARTS = 20


@dataclass(frozen=True)
class FilePart:
    field: str
    filename: str
    content: bytes


@dataclass
class MultipartForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, FilePart] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        value = (self.fields.get(name) or [""])[0].strip()
        return value or None


def _invalid(name: str, why: str) -> ValidationFailed:
    message = f"{name}: {why}"
    return ValidationFailed(message, problems=[Problem(why, scope="body", column=name)])


class _Parts:
    """The parser's callbacks: collect text fields and file contents."""

    def __init__(self, file_limit: int) -> None:
        self.file_limit = file_limit
        self.form = MultipartForm()
        self.refused: Exception | None = None
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._filename: str | None = None
        self._data = bytearray()
        self._parts = 0

    def part_begin(self) -> None:
        self._disposition, self._data = b"", bytearray()
        self._name, self._filename = "", None
        self._parts += 1
        if self._parts > MAX_PARTS and self.refused is None:
            self.refused = ValidationFailed(f"the form has more than {MAX_PARTS} fields")

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw = options.get(b"filename")
        self._filename = None if raw is None else raw.decode("utf-8", "replace")
        if not self._name and self.refused is None:
            self.refused = ValidationFailed("a form part has no field name")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.refused is not None:
            return  # refused already: stop holding bytes
        limit = TEXT_LIMIT if self._filename is None else self.file_limit
        if len(self._data) + (end - start) > limit:
            if self._filename is None:
                self.refused = _invalid(self._name, f"is longer than {TEXT_LIMIT} bytes")
            else:
                message = f"{self._name}: the file is larger than the {limit} bytes accepted here"
                self.refused = PayloadTooLarge(
                    message, problems=[Problem(message, scope="body", column=self._name)]
                )
            self._data = bytearray()
            return
        self._data += data[start:end]

    def part_end(self) -> None:
        if self.refused is not None:
            return
        if self._filename is None:
            text = self._data.decode("utf-8", "replace")
            self.form.fields.setdefault(self._name, []).append(text)
        elif self._name in self.form.files:
            self.refused = _invalid(self._name, "send one file only")
        else:
            self.form.files[self._name] = FilePart(self._name, self._filename, bytes(self._data))
        self._data = bytearray()


async def read_multipart(request: Request, *, file_limit: int) -> MultipartForm:
    """The form's text fields and files, all in memory; 415 when the body is not multipart,
    413 (naming the field) for a file over ``file_limit``, 422 for a malformed body."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data":
        message = "the body must be multipart/form-data, with the file in a form field"
        raise UnsupportedMediaType(message, problems=[Problem(message, scope="body")])
    boundary = params.get(b"boundary")
    if not boundary:
        raise ValidationFailed("the multipart body has no boundary")
    parts = _Parts(file_limit)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": parts.part_begin,
            "on_part_data": parts.part_data,
            "on_part_end": parts.part_end,
            "on_header_field": parts.header_field,
            "on_header_value": parts.header_value,
            "on_header_end": parts.header_end,
            "on_headers_finished": parts.headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if parts.refused is not None:
                raise parts.refused  # the rest of the body is not read
        parser.finalize()
    except MultipartParseError as exc:
        raise ValidationFailed(f"the multipart body cannot be read: {exc}") from None
    if parts.refused is not None:
        raise parts.refused
    return parts.form


def download_headers(filename: str) -> dict[str, str]:
    """A file sent back: always as a download (never shown inline under the app's origin, where
    a crafted PDF or image would run as the app), never cached by the browser or a proxy."""
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
