"""Export headers mapped back to the form: XML names or labels (any of the form's languages),
with or without group paths (``/``, ``-``, ``.`` or ``:``), one-hot ``q/option`` columns,
geopoint parts and the metadata columns Kobo and ODK Central add.

A header that is a label is mapped to the field with that label; labels repeat (``Other, please
specify``), so a repeated label goes to the next field with that label in form order, as exports
keep form order. A file that mixes names and labels is refused, naming the columns of each kind:
reading it either way would silently misread half of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from safepath.errors import InputError, Problem
from safepath.surveys.xlsform import FormDefinition, FormField

Kind = Literal["field", "onehot", "meta", "geo", "unknown"]
SEPARATORS = ("/", "-", ".", ":")
GEO_TYPES = {"geopoint", "gps", "geotrace", "geoshape"}
_GEO_PARTS = {
    "latitude": "latitude",
    "longitude": "longitude",
    "altitude": "altitude",
    "precision": "precision",
    "accuracy": "precision",
}

# Columns the platforms add to every export (Kobo's XLS/CSV, ODK Central's CSV).
KOBO_META = {
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_version_",
    "_tags",
    "_index",
    "_parent_index",
    "_parent_table_name",
    "_xform_id_string",
    "_attachments",
    "_geolocation",
    "_duration",
    "meta/instanceID",
    "meta/rootUuid",
    "meta/deprecatedID",
    "meta/instanceName",
    "formhub/uuid",
}
ODK_META = {
    "SubmissionDate",
    "KEY",
    "PARENT_KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
    "meta-instanceID",
    "meta-instanceName",
    "instanceID",
}
# Exports cleaned by R tooling (REACH) drop the leading underscore of these.
ALIASES = {"uuid": "_uuid", "index": "_index", "submission_time": "_submission_time"}
# Metadata that can identify a person (who submitted, from which device, where).
PERSONAL_META = {"_submitted_by", "SubmitterName", "SubmitterID", "DeviceID", "_geolocation"}


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    kind: Kind
    field: str | None = None  # the form field (field, onehot, geo)
    option: str | None = None  # the choice of a one-hot column
    part: str | None = None  # latitude / longitude / altitude / precision of a geopoint
    meta: str | None = None  # the canonical metadata name

    @property
    def name(self) -> str:
        """The stored column name."""
        if self.kind == "field":
            return str(self.field)
        if self.kind == "geo":
            return f"{self.field}_{self.part}"
        if self.kind == "meta":
            return str(self.meta)
        return self.header


@dataclass
class HeaderMap:
    columns: list[Column]
    language: str | None  # the label language, when the export has labels
    problems: list[Problem] = field(default_factory=list)

    def by_kind(self, kind: Kind) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]

    def meta(self, *names: str) -> Column | None:
        for name in names:
            for c in self.columns:
                if c.kind == "meta" and c.meta == name:
                    return c
        return None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Resolver:
    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.groups = set(form.groups)
        self.order = {name: i for i, name in enumerate(form.fields)}
        self.labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.choice_labels: dict[str, dict[str, dict[str, str]]] = {}
        for f in form.fields.values():
            for lang, label in f.labels.items():
                if label.strip():
                    self.labels[lang][_norm(label)].append(f.name)

    def field(self, name: str) -> FormField | None:
        return self.form.fields.get(name)

    def by_name(self, h: str) -> Column | None:
        f = self.field(h)
        if f is not None:
            return Column(0, h, "field", field=f.name)
        for sep in SEPARATORS:
            if sep not in h:
                continue
            parts = h.split(sep)
            for k in range(1, len(parts)):
                if not all(p in self.groups for p in parts[:k]):
                    break
                tail = sep.join(parts[k:])
                if tail in self.form.fields:
                    return Column(0, h, "field", field=tail)
            geo = self._geo(parts, sep)
            if geo is not None:
                return Column(0, h, "geo", field=geo[0], part=geo[1])
        if "/" in h:  # one-hot: <field, maybe with its group path>/<choice>
            for cut in range(len(h) - 1, 0, -1):
                if h[cut] != "/":
                    continue
                left, option = h[:cut], h[cut + 1 :]
                inner = self.by_name(left)
                if inner is not None and inner.kind == "field":
                    f = self.form.fields[str(inner.field)]
                    if f.type == "select_multiple" and (option in f.choice_names or not f.choices):
                        return Column(0, h, "onehot", field=f.name, option=option)
        if h.startswith("_") and h.count("_") >= 2:  # Kobo: _<group path/geopoint>_latitude
            base, _, part = h[1:].rpartition("_")
            inner = self.by_name(base) if base else None
            f = (
                self.field(str(inner.field))
                if inner is not None and inner.kind == "field"
                else None
            )
            if f is not None and f.type in GEO_TYPES and part.lower() in _GEO_PARTS:
                return Column(0, h, "geo", field=f.name, part=_GEO_PARTS[part.lower()])
        return None

    def _geo(self, parts: list[str], sep: str) -> tuple[str, str] | None:
        # ODK Central: <path>-<geopoint>-Latitude / -Longitude / -Altitude / -Accuracy
        if len(parts) < 2 or parts[-1].lower() not in _GEO_PARTS:
            return None
        f = self.field(parts[-2])
        if f is None or f.type not in GEO_TYPES:
            return None
        return f.name, _GEO_PARTS[parts[-1].lower()]

    def by_label(self, h: str) -> dict[str, list[tuple[str, str | None]]]:
        """language -> [(field, choice or None)] whose label is the header (with or without
        group labels before it, one-hot ``question/choice`` labels)."""
        out: dict[str, list[tuple[str, str | None]]] = {}
        segments = h.split("/")
        for lang, index in self.labels.items():
            hits: list[tuple[str, str | None]] = [(n, None) for n in index.get(_norm(h), [])]
            if not hits:
                for cut in range(len(segments) - 1, 0, -1):
                    option_label = _norm("/".join(segments[cut:]))
                    for k in range(cut):
                        for name in index.get(_norm("/".join(segments[k:cut])), []):
                            f = self.form.fields[name]
                            if f.type != "select_multiple":
                                continue
                            for c in f.choices:
                                if _norm(c.labels.get(lang, "")) == option_label:
                                    hits.append((name, c.name))
                        if hits:
                            break
                    if hits:
                        break
            for k in range(1, len(segments)):  # group labels before the question's
                if hits:
                    break
                hits = [(n, None) for n in index.get(_norm("/".join(segments[k:])), [])]
            if hits:
                out[lang] = hits
        return out


def _meta(h: str, form: FormDefinition) -> str | None:
    if h in KOBO_META or h in ODK_META:
        return h
    if h.startswith("_submission_"):  # a repeat sheet's copy of its submission's metadata
        return h
    if h in ALIASES and h not in form.fields:
        return ALIASES[h]
    return None


def map_header(
    form: FormDefinition, table: str, header: list[str], *, repeat: str | None
) -> HeaderMap:
    """Map each column of a table (``repeat``: the repeat it holds, None for the submissions)."""
    r = _Resolver(form)
    named: dict[int, Column] = {}
    labelled: dict[int, dict[str, list[tuple[str, str | None]]]] = {}
    meta: dict[int, str] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        m = _meta(h, form)
        if m is not None:
            meta[i] = m
            continue
        col = r.by_name(h)
        if col is not None:
            named[i] = col
        hits = r.by_label(h)
        if hits:
            labelled[i] = hits
    language = _language(form, table, header, named, labelled)
    columns: list[Column] = []
    problems: list[Problem] = []
    last = -1
    used: set[tuple[str, str | None]] = set()
    for i, h in enumerate(header):
        if i in meta:
            columns.append(Column(i, h, "meta", meta=meta[i]))
            continue
        chosen: Column | None = None
        if language is not None and i in labelled and language in labelled[i]:
            options = sorted(
                labelled[i][language],
                key=lambda fc: (form.fields[fc[0]].repeat != repeat, r.order[fc[0]]),
            )
            pick = next(
                (fc for fc in options if fc not in used and r.order[fc[0]] > last),
                next((fc for fc in options if fc not in used), options[0]),
            )
            used.add(pick)
            last = max(last, r.order[pick[0]])
            name, option = pick
            chosen = (
                Column(i, h, "onehot", field=name, option=option)
                if option
                else Column(i, h, "field", field=name)
            )
        elif i in named:
            c = named[i]
            chosen = Column(i, h, c.kind, field=c.field, option=c.option, part=c.part)
            if c.field in r.order:
                last = max(last, r.order[str(c.field)])
        if chosen is None:
            columns.append(Column(i, h, "unknown"))
            problems.append(
                Problem(
                    "column is not a field of the form (kept as text)"
                    if h
                    else "column without a header",
                    scope=table,
                    row=1,
                    column=h or f"#{i + 1}",
                )
            )
            continue
        columns.append(chosen)
    _refuse_duplicates(table, columns)
    return HeaderMap(columns, language, problems)


def _language(
    form: FormDefinition,
    table: str,
    header: list[str],
    named: dict[int, Column],
    labelled: dict[int, dict[str, list[tuple[str, str | None]]]],
) -> str | None:
    label_only = [i for i in labelled if i not in named]
    if not label_only:
        return None
    counts: dict[str, int] = defaultdict(int)
    for i in labelled:
        for lang in labelled[i]:
            counts[lang] += 1
    language = max(sorted(counts), key=lambda lang: counts[lang])
    # a name column is fine in a label export only where the field has no label to show
    name_only = [
        i
        for i, c in named.items()
        if i not in labelled
        and c.kind != "geo"  # platforms name geopoint parts after the field in both
        and c.field is not None
        and form.fields[c.field].labels.get(language, "").strip()
        and _norm(form.fields[c.field].labels[language]) != _norm(str(c.field))
    ]
    if name_only:
        shown = ", ".join(repr(header[i]) for i in name_only[:8])
        labels = ", ".join(repr(header[i]) for i in label_only[:8])
        problems = [
            Problem("XML name in an export with labels", scope=table, row=1, column=header[i])
            for i in name_only
        ] + [
            Problem("label in an export with XML names", scope=table, row=1, column=header[i])
            for i in label_only
        ]
        raise InputError(
            f"{table}: the header mixes XML names ({len(name_only)}: {shown}) and {language} "
            f"labels ({len(label_only)}: {labels}); export with one or the other",
            problems=problems,
        )
    return language


def _refuse_duplicates(table: str, columns: list[Column]) -> None:
    seen: dict[tuple[str, str | None, str | None, str | None], Column] = {}
    problems: list[Problem] = []
    for c in columns:
        if c.kind == "unknown":
            continue
        key = (c.kind, c.field or c.meta, c.option, c.part)
        if key in seen:
            problems.append(
                Problem(
                    f"the same field as column {seen[key].header!r}",
                    scope=table,
                    row=1,
                    column=c.header,
                )
            )
        else:
            seen[key] = c
    if problems:
        raise InputError(
            f"{table}: {len(problems)} column(s) repeat a field: "
            + ", ".join(repr(p.column) for p in problems[:8]),
            problems=problems,
        )
