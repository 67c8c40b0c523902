"""Exports made from the shared REACH MSNA 2024 dummy data for the import tests: the same
answers written the ways Kobo and ODK Central write them (labels, CSV encodings, ODK zips)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from safepath.surveys.xlsform import FormDefinition

MSNA = Path("data/reach-msna-2024")
FORM_FILE = "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
EXPORT_FILE = "dummy_raw_data.xlsx"


def sheet(path: Path, name: str) -> list[list[Any]]:
    return [
        list(r) for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    ]


def text(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def with_labels(
    rows: list[list[Any]], form: FormDefinition, lang: str = "english"
) -> list[list[str]]:
    """The sheet as Kobo's "labels" export writes it: headers, choices and one-hot headers as
    labels in ``lang``; columns without a label keep their name."""
    header = rows[0]
    out_header: list[str] = []
    kinds: list[tuple[str, Any]] = []
    for h in header:
        f = form.fields.get(h)
        if f is not None:
            out_header.append(f.labels.get(lang) or h)
            kinds.append(("field", f))
            continue
        q, _, option = h.rpartition("/")
        f = form.fields.get(q)
        if f is not None and f.type == "select_multiple":
            c = next(c for c in f.choices if c.name == option)
            out_header.append(f"{f.labels.get(lang) or q}/{c.labels.get(lang) or option}")
        else:
            out_header.append(h)
        kinds.append(("other", None))
    body = []
    for row in rows[1:]:
        out = []
        for (kind, f), v in zip(kinds, row, strict=True):
            t = text(v)
            if kind == "field" and t and f.choices:
                labels = {c.name: c.labels.get(lang) or c.name for c in f.choices}
                if len(set(labels.values())) < len(labels):
                    # placeholder labels shared by several choices cannot be read back;
                    # Kobo users export such lists with names (the importer reports them)
                    labels = {c.name: c.name for c in f.choices}
                if f.type == "select_one":
                    t = labels.get(t, t)
                elif f.type == "select_multiple":
                    t = " ".join(labels.get(x, x) for x in t.split())
            out.append(t)
        body.append(out)
    return [out_header, *body]


def write_csv(
    rows: list[list[Any]], path: Path, *, encoding: str = "utf-8", sep: str = ","
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(
        [[text(v) for v in r] for r in rows]
    )
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def odk_zip(main: list[list[Any]], repeats: dict[str, list[list[Any]]], path: Path) -> Path:
    """ODK Central's CSV zip: KEY / PARENT_KEY instead of Kobo's uuid and indexes, groups joined
    with '-'."""
    header = main[0]
    key_at = header.index("uuid")
    root = [[("KEY" if h == "uuid" else h) for h in header]]
    keys: dict[str, str] = {}
    for r in main[1:]:
        row = list(r)
        row[key_at] = f"uuid:{r[key_at]}"
        keys[text(r[header.index("index")])] = row[key_at]
        root.append(row)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("msna.csv", _csv(root))
        for name, rows in repeats.items():
            h = rows[0]
            drop = {h.index(c) for c in ("uuid", "_index", "_parent_index") if c in h}
            out = [[c for i, c in enumerate(h) if i not in drop] + ["PARENT_KEY", "KEY"]]
            seen: dict[str, int] = {}
            for r in rows[1:]:
                parent = keys[text(r[h.index("_parent_index")])]
                seen[parent] = seen.get(parent, 0) + 1
                out.append(
                    [v for i, v in enumerate(r) if i not in drop]
                    + [parent, f"{parent}/{name}[{seen[parent]}]"]
                )
            z.writestr(f"msna-{name}.csv", _csv(out))
    return path


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[text(v) for v in r] for r in rows])
    return buf.getvalue()
