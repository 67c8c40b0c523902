"""Kobo XLSX exports read in row chunks, so a 132,229 × 510 sheet is never in memory whole.

calamine parses a whole sheet at once and keeps every cell (about 64 bytes each: 4.6 GiB for
Kobo's failing export), and it holds the GIL while it parses. So the sheet's XML is streamed out
of the zip and cut at row boundaries into pieces of about ``PIECE_BYTES``; each piece is parsed
by calamine as a one-sheet workbook that carries the original shared strings, styles and date
system, and turned into Arrow arrays. A large sheet's pieces are parsed by worker processes (one
per core) while this process checks the pieces already read; a small sheet is parsed here.

Rows keep their spreadsheet numbers: a piece that starts after an empty row gets that row back as
an empty one, and columns are aligned on the header's first column, as one whole-sheet parse
would give them.
"""

from __future__ import annotations

import io
import os
import pickle
import posixpath
import re
import struct
import subprocess
import sys
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pyarrow as pa

PIECE_BYTES = 32 << 20  # XML per piece: about 0.9M cells, some 60 MB while calamine holds them
POOL_BYTES = 96 << 20  # sheets with less XML than this are parsed in this process
_READ = 8 << 20
_SHEETDATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?/>")
_DIMENSION_REF = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref=\"([^\"]*)\"")
_ROOT = re.compile(rb"<((?:[\w.-]+:)?worksheet)\b")
_CELL_ROW = re.compile(r"[A-Z]+(\d+)$")
_ROW_NUMBER = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*?\br=\"(\d+)\"")
COUNT_BYTES = 64 << 20  # a sheet without a stated size is scanned for its last row up to this
_OOX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, zip member) of ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in zf.NameToInfo:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for el in ElementTree.fromstring(zf.read(rels_name)):
        target = el.get("Target", "")
        member = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], member)
    return out


@dataclass(frozen=True)
class Book:
    """What a piece needs from the workbook, and where each sheet's XML is."""

    sheets: list[tuple[str, str]]  # (sheet name, zip member) in workbook order
    shared_strings: bytes | None
    styles: bytes | None
    workbook_pr: bytes  # <workbookPr .../> (date1904) or b""


def open_book(zf: zipfile.ZipFile) -> Book:
    """The sheets of a workbook (KeyError, ParseError or BadZipFile when it is damaged)."""
    root_rels = _rels(zf, "")
    workbook = next(m for t, m in root_rels.values() if t == "officeDocument")
    rels = _rels(zf, workbook)
    tree = ElementTree.fromstring(zf.read(workbook))
    sheets: list[tuple[str, str]] = []
    pr = b""
    for el in tree.iter():
        tag = _local(el.tag)
        if tag == "workbookPr" and el.get("date1904") in ("1", "true"):
            pr = b'<workbookPr date1904="1"/>'
        if tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            kind, member = rels.get(rid, ("", ""))
            if kind == "worksheet" and member in zf.NameToInfo:
                sheets.append((el.get("name", ""), member))

    def part(kind: str) -> bytes | None:
        member = next((m for t, m in rels.values() if t == kind), None)
        return zf.read(member) if member and member in zf.NameToInfo else None

    return Book(sheets, part("sharedStrings"), part("styles"), pr)


@dataclass(frozen=True)
class Piece:
    """Rows of one piece: ``start`` is the 0-based sheet row of the first one."""

    start: int
    rows: int
    columns: list[pa.Array]


def xml_pieces(
    zf: zipfile.ZipFile, member: str, size: int, *, block: int | None = None
) -> Iterator[bytes]:
    """The sheet's XML as standalone worksheet documents of whole rows, about ``size`` bytes
    each, read ``block`` bytes at a time (the <dimension> is dropped: it would make calamine
    size each piece as the whole sheet)."""
    step = block or _READ
    with zf.open(member) as fh:
        buf = b""
        match = None
        while match is None:
            data = fh.read(step)
            buf += data
            match = _SHEETDATA.search(buf)
            if not data and match is None:
                return
        if match.group(2):  # <sheetData/>: no rows
            return
        root = _ROOT.search(buf)
        ns = match.group(1)
        prefix = _DIMENSION.sub(b"", buf[: match.end()])
        suffix = b"</" + ns + b"sheetData></" + (root.group(1) if root else b"worksheet") + b">"
        end_row = b"</" + ns + b"row>"
        parts = [buf[match.end() :]]  # joined once per piece: no quadratic copying
        held = len(parts[0])
        while True:
            data = fh.read(step)
            if data:
                parts.append(data)
                held += len(data)
            if held >= size or not data:
                rest = b"".join(parts)
                cut = rest.rfind(end_row)
                if cut >= 0:
                    cut += len(end_row)
                    yield b"".join((prefix, memoryview(rest)[:cut], suffix))
                    rest = rest[cut:]
                parts, held = [rest], len(rest)
            if not data:
                return


def last_row(zf: zipfile.ZipFile, member: str) -> int | None:
    """The sheet's last row (1-based), for a progress bar: as its ``<dimension>`` says, else,
    for a sheet small enough to scan (``COUNT_BYTES``), the number of its last ``<row>``."""
    with zf.open(member) as fh:
        head = fh.read(4096)
    m = _DIMENSION_REF.search(head)
    ref = m.group(1).decode("ascii", "replace") if m else ""
    if ":" in ref:  # not a bare "A1", as some writers put when they do not count
        last = _CELL_ROW.search(ref.split(":")[-1])
        return int(last.group(1)) if last else None
    if zf.getinfo(member).file_size > COUNT_BYTES:
        return None
    tail = b""
    with zf.open(member) as fh:
        while block := fh.read(_READ):
            tail = (tail + block)[-65536:]
    rows = _ROW_NUMBER.findall(tail)
    return int(rows[-1]) if rows else None


def _workbook(book: Book, sheet_xml: bytes) -> bytes:
    parts = {"xl/worksheets/sheet1.xml": sheet_xml}
    rels = [f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    types = [f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOX}.worksheet+xml"/>']
    for data, name, kind, ctype in (
        (book.shared_strings, "sharedStrings.xml", "sharedStrings", "sharedStrings+xml"),
        (book.styles, "styles.xml", "styles", "styles+xml"),
    ):
        if data is not None:
            parts[f"xl/{name}"] = data
            rels.append(
                f'<Relationship Id="rId{len(rels) + 1}" Type="{_REL}/{kind}" Target="{name}"/>'
            )
            types.append(f'<Override PartName="/xl/{name}" ContentType="{_OOX}.{ctype}"/>')
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{head}<Types xmlns="{_PKG}/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension='
            f'"xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{_OOX}.sheet.main+xml"/>{"".join(types)}</Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'{head}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            head.encode()
            + b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            + f'xmlns:r="{_REL}">'.encode()
            + book.workbook_pr
            + b'<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{head}<Relationships xmlns="{_PKG}/relationships">{"".join(rels)}</Relationships>',
        )
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def parse_rows(book: Book, sheet_xml: bytes) -> tuple[tuple[int, int] | None, list[list[Any]]]:
    """calamine's cells of one piece: its top-left (row, column), 0-based, and its rows."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(_workbook(book, sheet_xml)))
    try:
        sheet = wb.get_sheet_by_index(0)
        start = sheet.start
        if start is None:
            return None, []
        # from the top-left cell on (iter_rows would start at A1: empty rows before a piece)
        return (start[0], start[1]), sheet.to_python(skip_empty_area=True)
    finally:
        wb.close()


def parse_piece(book: Book, sheet_xml: bytes, col0: int, width: int, first: int) -> Piece:
    """One piece as Arrow arrays of ``width`` columns from column ``col0``, without the rows
    above sheet row ``first`` (the header: it would make every column text) (a worker's task)."""
    from safepath.surveys.exports import columns_of

    start, rows = parse_rows(book, sheet_xml)
    if start is None or start[0] + len(rows) <= first:
        return Piece(0, 0, [])
    if start[0] < first:
        rows = rows[first - start[0] :]
        start = (first, start[1])
    shift = start[1] - col0
    if shift > 0:
        rows = [[""] * shift + r for r in rows]
    elif shift < 0:  # cells left of the header: no column is theirs
        rows = [r[-shift:] for r in rows]
    return Piece(start[0], len(rows), columns_of(rows, width))


def _workers() -> int:
    try:
        return max(1, min(4, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(4, os.cpu_count() or 1))


class PieceError(Exception):
    """calamine could not parse a piece (damaged XML): the message says why."""


def _send(stream: Any, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: Any) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    (size,) = struct.unpack("<Q", head)
    return pickle.loads(stream.read(size))  # noqa: S301 - our own child process


class _Worker:
    """A child process that parses pieces (``serve``), over its stdin and stdout.
    Not multiprocessing: its spawn re-runs the caller's ``__main__``, and fork copies the
    threads' locks of a web server."""

    def __init__(self, book: Book, col0: int, width: int, first: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
        self.proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-c", "from safepath.surveys.xlsx import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        _send(self.proc.stdin, (book, col0, width, first))

    def submit(self, sheet_xml: bytes) -> None:
        _send(self.proc.stdin, sheet_xml)

    def result(self) -> Piece:
        try:
            kind, value = _receive(self.proc.stdout)
        except EOFError:
            raise PieceError(f"a reader process ended (exit code {self.proc.wait()})") from None
        if kind == "error":
            raise PieceError(value)
        assert isinstance(value, Piece)
        return value

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve() -> None:
    """The worker's loop: the book once, then pieces in, Arrow pieces out, until EOF."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    book, col0, width, first = _receive(stdin)
    while True:
        try:
            sheet_xml = _receive(stdin)
        except EOFError:
            return
        try:
            _send(stdout, ("piece", parse_piece(book, sheet_xml, col0, width, first)))
        except Exception as exc:  # calamine raises several types for damaged XML
            _send(stdout, ("error", str(exc).strip().splitlines()[0] or type(exc).__name__))


def pieces(
    path: str,
    book: Book,
    member: str,
    col0: int,
    width: int,
    first: int,
    *,
    piece_bytes: int | None = None,
) -> Iterator[Piece]:
    """The sheet's pieces from row ``first`` (0-based) on, in order, parsed by worker processes
    when the sheet is large."""
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo(member).file_size
        xml = xml_pieces(zf, member, piece_bytes or PIECE_BYTES)
        if size < POOL_BYTES or _workers() == 1:
            for sheet_xml in xml:
                try:
                    piece = parse_piece(book, sheet_xml, col0, width, first)
                except Exception as exc:  # calamine raises several types for damaged XML
                    raise PieceError(str(exc).strip().splitlines()[0]) from exc
                yield piece
            return
        workers = [_Worker(book, col0, width, first) for _ in range(_workers())]
        try:
            busy: deque[_Worker] = deque()
            for sheet_xml in xml:  # one piece in flight per worker: memory stays flat
                if len(busy) == len(workers):
                    worker = busy.popleft()
                    yield worker.result()
                else:
                    worker = workers[len(busy)]
                worker.submit(sheet_xml)
                busy.append(worker)
            while busy:
                yield busy.popleft().result()
        finally:
            for w in workers:
                w.close()
