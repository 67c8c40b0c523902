"""Synthetic Kobo exports and their XLSForm, written fast (XML templates, no spreadsheet
library): ``write_xlsx`` makes a main sheet of N submissions × C columns (Kobo's column kinds:
metadata, grouped select_one / integer / decimal / text, select_multiple with one-hot columns)
and one repeat sheet of household members."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

from safepath.surveys.forms.build import write_workbook

META = ["start", "end", "_id", "_uuid", "_submission_time", "_validation_status", "_index"]
YES_NO = ["yes", "no", "dnk"]
OPTIONS = ["a", "b", "c", "d"]
MEMBERS = 2  # repeat rows per submission


def columns(n_cols: int) -> list[tuple[str, str]]:
    """(header, kind) for the main sheet: kinds cycle as in a household questionnaire."""
    out: list[tuple[str, str]] = [(m, "meta") for m in META]
    kinds = ["select_one", "integer", "select_one", "decimal", "select_one", "integer", "sm"]
    i = 0
    texts = 0
    while len(out) < n_cols:
        kind = kinds[i % len(kinds)]
        if texts < 3 and i % 50 == 10:
            kind = "text"
            texts += 1
        name = f"q{i:03d}"
        group = f"g{i // 40}"
        out.append((f"{group}/{name}", kind))
        if kind == "sm":
            out.extend((f"{group}/{name}/{o}", "onehot") for o in OPTIONS)
        i += 1
    return out[:n_cols]


def write_form(path: Path, n_cols: int) -> Path:
    survey: list[dict[str, Any]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    groups: dict[str, list[tuple[str, str]]] = {}
    for header, kind in columns(n_cols):
        if kind in ("meta", "onehot"):
            continue
        group, name = header.split("/")
        groups.setdefault(group, []).append((name, kind))
    types = {
        "select_one": "select_one yn",
        "integer": "integer",
        "decimal": "decimal",
        "text": "text",
        "sm": "select_multiple opts",
    }
    for group, fields in groups.items():
        survey.append({"type": "begin_group", "name": group, "label::English (en)": group})
        for name, kind in fields:
            row: dict[str, Any] = {
                "type": types[kind],
                "name": name,
                "label::English (en)": f"Question {name}",
            }
            if kind == "integer":
                row["constraint"] = ". >= 0"
            survey.append(row)
        survey.append({"type": "end_group", "name": group})
    survey += [
        {"type": "begin_repeat", "name": "members", "label::English (en)": "Members"},
        {"type": "integer", "name": "age", "label::English (en)": "Age"},
        {"type": "select_one wg", "name": "wg_seeing", "label::English (en)": "Seeing"},
        {"type": "end_repeat", "name": "members"},
    ]
    choices = [{"list_name": "yn", "name": n, "label::English (en)": n.title()} for n in YES_NO]
    choices += [{"list_name": "opts", "name": o, "label::English (en)": o.upper()} for o in OPTIONS]
    choices += [
        {"list_name": "wg", "name": n, "label::English (en)": n}
        for n in ("no_difficulty", "some_difficulty", "lot_of_difficulty", "cannot_do")
    ]
    settings = [{"form_id": "bench_hh", "form_title": "Benchmark household", "version": "1"}]
    return write_workbook({"survey": survey, "choices": choices, "settings": settings}, path)


def _letters(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


_OOX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_CT = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OOX}.sheet.main+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_OOX}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOX}.worksheet+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_OOX}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB = (
    f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_REL}"><sheets>'
    '<sheet name="Benchmark household" sheetId="1" r:id="rId1"/>'
    '<sheet name="members" sheetId="2" r:id="rId2"/></sheets></workbook>'
)
_WBRELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        body = "".join(f"<si><t>{t}</t></si>" for t in self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns='
            f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">{body}</sst>'
        )


def _cell(ref: str, value: Any, sst: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}§" t="s"><v>{sst(value)}</v></c>'
    return f'<c r="{ref}§"><v>{value}</v></c>'


def _value(kind: str, rng: random.Random, header: str) -> Any:
    if kind == "select_one":
        return rng.choice(YES_NO)
    if kind == "integer":
        return rng.randint(0, 90) if rng.random() > 0.1 else None
    if kind == "decimal":
        return round(rng.uniform(0, 100), 2)
    if kind == "text":
        return (
            rng.choice(["Amina", "Karwan", "Layla", "Noor"]) + " " + rng.choice(["Q.", "A.", "H."])
        )
    if kind == "sm":
        return " ".join(o for o in OPTIONS if rng.random() < 0.4) or None
    return None


def write_xlsx(path: Path, rows: int, n_cols: int, *, seed: int = 7) -> Path:
    """The export: ``rows`` submissions × ``n_cols`` columns and MEMBERS repeat rows each."""
    rng = random.Random(seed)
    cols = columns(n_cols)
    sst = _Strings()
    letters = [_letters(i) for i in range(len(cols))]
    header = "".join(
        f'<c r="{letters[i]}1" t="s"><v>{sst(h)}</v></c>' for i, (h, _) in enumerate(cols)
    )
    # 64 row templates: each row is one of them with its own row number and metadata
    templates: list[str] = []
    for _ in range(64):
        cells = []
        for i, (h, kind) in enumerate(cols):
            if kind == "meta":
                cells.append(f"\x00{h}\x00")
                continue
            if kind == "onehot":
                cells.append(f"\x01{i}\x01")  # filled from the select_multiple answer below
                continue
            cells.append(_cell(letters[i], _value(kind, rng, h), sst))
        row = "".join(cells)
        for i, (_h, kind) in enumerate(cols):  # one-hot columns: 1 / 0
            if kind == "onehot":
                chosen = 1 if rng.random() < 0.4 else 0
                row = row.replace(f"\x01{i}\x01", f'<c r="{letters[i]}§"><v>{chosen}</v></c>')
        templates.append(row)
    meta_at = {h: i for i, (h, k) in enumerate(cols) if k == "meta"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WBRELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_HEAD + f'<row r="1">{header}</row>'.encode())
            for r in range(rows):
                n = r + 2
                meta = {
                    "start": "2024-05-01T09:00:00",
                    "end": "2024-05-01T09:40:00",
                    "_id": r + 1,
                    "_uuid": f"bench-{r:07d}",
                    "_submission_time": "2024-05-01T10:00:00",
                    "_validation_status": None,
                    "_index": r + 1,
                }
                row = templates[r % 64]
                for h, i in meta_at.items():
                    v = meta[h]
                    cell = (
                        f'<c r="{letters[i]}§" t="inlineStr"><is><t>{v}</t></is></c>'
                        if isinstance(v, str)
                        else ("" if v is None else f'<c r="{letters[i]}§"><v>{v}</v></c>')
                    )
                    row = row.replace(f"\x00{h}\x00", cell)
                fh.write(f'<row r="{n}">{row.replace("§", str(n))}</row>'.encode())
            fh.write(b"</sheetData></worksheet>")
        with z.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
            head = [
                "age",
                "wg_seeing",
                "_index",
                "_parent_table_name",
                "_parent_index",
                "_submission__uuid",
            ]
            title = "".join(
                f'<c r="{_letters(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                for i, h in enumerate(head)
            )
            fh.write(_HEAD + f'<row r="1">{title}</row>'.encode())
            n = 1
            wg = ["no_difficulty", "some_difficulty", "lot_of_difficulty", "cannot_do"]
            for r in range(rows):
                for _ in range(MEMBERS):
                    n += 1
                    fh.write(
                        (
                            f'<row r="{n}"><c r="A{n}"><v>{rng.randint(0, 90)}</v></c>'
                            f'<c r="B{n}" t="s"><v>{sst(rng.choice(wg))}</v></c>'
                            f'<c r="C{n}"><v>{n - 1}</v></c>'
                            f'<c r="D{n}" t="s"><v>{sst("bench_hh")}</v></c>'
                            f'<c r="E{n}"><v>{r + 1}</v></c>'
                            f'<c r="F{n}" t="inlineStr"><is><t>bench-{r:07d}</t></is></c></row>'
                        ).encode()
                    )
            fh.write(b"</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", sst.xml())
    return path


def write_csv(path: Path, rows: int, n_cols: int = 40, *, seed: int = 11) -> Path:
    """A Kobo CSV export (';'-separated, as Kobo writes in many locales) of ``rows`` submissions."""
    rng = random.Random(seed)
    cols = columns(n_cols)
    templates = []
    for _ in range(64):
        values = []
        for h, kind in cols:
            if kind == "meta":
                values.append("\x00" + h)
            elif kind == "onehot":
                values.append(str(int(rng.random() < 0.4)))
            else:
                v = _value(kind, rng, h)
                values.append("" if v is None else str(v))
        templates.append(";".join(values))
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(h for h, _ in cols) + "\n")
        for r in range(rows):
            line = templates[r % 64]
            for h, v in (
                ("start", "2024-05-01T09:00:00"),
                ("end", "2024-05-01T09:40:00"),
                ("_id", str(r + 1)),
                ("_uuid", f"csv-{r:07d}"),
                ("_submission_time", "2024-05-01T10:00:00"),
                ("_validation_status", ""),
                ("_index", str(r + 1)),
            ):
                line = line.replace("\x00" + h, v, 1)
            fh.write(line + "\n")
    return path
