"""The report as HTML (a Jinja template, ``templates/paf.html``) or PDF (WeasyPrint), in English,
French, Spanish or Arabic (right to left), and its area table as HXL-tagged CSV.

Strings come from the web interface's gettext catalogs (``safepath/web/locale``), read as data
files, so the report and the pages say the same thing in each language. The HTML is one
self-contained file: styles inline, figures as inline SVG, the area table's CSV as a ``data:``
link; no script, no CDN.
"""

from __future__ import annotations

import base64
import csv
import io
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from safepath.cells import neutralise
from safepath.framework import catalogue
from safepath.report import svg
from safepath.report.paf import PafReport

LANGUAGES = ("en", "fr", "es", "ar")
RTL = frozenset({"ar"})
TEMPLATES = Path(__file__).parent / "templates"
LOCALE = Path(__file__).resolve().parents[1] / "web" / "locale"


@cache
def messages(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


class Gettext(Protocol):
    def __call__(self, message: str, **values: Any) -> str: ...


def translator(lang: str) -> Gettext:
    table = messages(lang)

    def gettext(message: str, **values: Any) -> str:
        text = table.get(message, message)
        return text % values if values else text

    return gettext


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _label(list_name: str, code: str | None, lang: str) -> str:
    if not code:
        return ""
    cat = catalogue()
    if list_name in cat and cat.has(list_name, code):
        return cat.label(list_name, code, lang)
    return code


def phase_name(p: int | None, lang: str) -> str:
    if p is None:
        return "–"
    codes = catalogue().codes("severity_phases")
    return f"{_label('severity_phases', codes[p - 1], lang)} ({p})"


def group_label(name: str, value: str | None, lang: str) -> str:
    gettext = translator(lang)
    if value == "(missing)" or value is None:
        return gettext("Not known")
    if name == "sex":
        return _label("sex_gender", value, lang)
    if name == "age_bracket":
        return _label("age_brackets", value, lang)
    if name == "disability":
        return gettext("With a disability") if value == "disability" else gettext("No disability")
    return value


def figures(report: PafReport, lang: str) -> dict[str, Any]:
    """The report's maps and charts as inline SVG, with titles and legends in ``lang``."""
    gettext = translator(lang)
    rtl = lang in RTL
    phase_legend = [phase_name(p, lang) for p in range(1, 6)]
    names = dict(report.names)
    phase_shades = {
        a["pcode"]: svg.Shade(svg.PHASE_COLOURS[a["area_phase"]], phase_legend[a["area_phase"] - 1])
        for a in report.areas
        if a["area_phase"]
    }
    out: dict[str, Any] = {}
    legend = [(svg.PHASE_COLOURS[p], phase_legend[p - 1]) for p in range(1, 6)]
    legend.append((svg.NO_DATA, gettext("No figure (too few records or no data)")))
    desc = "; ".join(
        f"{names.get(a['pcode'], a['pcode'])}: "
        f"{phase_legend[a['area_phase'] - 1] if a['area_phase'] else '–'}"
        for a in report.areas
    )
    out["phase_map"] = svg.choropleth(
        report.outlines, phase_shades, names, gettext("Area severity phase"), desc, legend, rtl=rtl
    )
    in_people = report.population_source is not None
    key = "pin" if in_people else "share"
    values = sorted(a[key] for a in report.areas if a[key] is not None)
    pin_shades: dict[str, svg.Shade] = {}
    pin_legend: list[tuple[str, str]] = []
    if values:
        top = values[-1] or 1.0
        bands = len(svg.PIN_SHADES)
        for i, colour in enumerate(svg.PIN_SHADES):
            lo, hi = top * i / bands, top * (i + 1) / bands
            pin_legend.append((colour, f"{_fmt(lo, key, lang)} – {_fmt(hi, key, lang)}"))
        for a in report.areas:
            if a[key] is not None:
                band = min(bands - 1, int(a[key] / top * bands)) if top else 0
                pin_shades[a["pcode"]] = svg.Shade(svg.PIN_SHADES[band], _fmt(a[key], key, lang))
    pin_legend.append((svg.NO_DATA, gettext("No figure (too few records or no data)")))
    title = gettext("People in need") if in_people else gettext("Share in need")
    desc = "; ".join(
        f"{names.get(a['pcode'], a['pcode'])}: {_fmt(a[key], key, lang)}" for a in report.areas
    )
    out["pin_map"] = svg.choropleth(
        report.outlines, pin_shades, names, title, desc, pin_legend, rtl=rtl
    )
    out["phase_chart"] = svg.intervals(
        [
            svg.Interval(phase_legend[r["phase"] - 1], r["estimate"], r["ci_low"], r["ci_high"])
            for r in report.phases
        ],
        gettext("Households by severity phase"),
        "; ".join(
            f"{phase_legend[r['phase'] - 1]}: {_fmt(r['estimate'], 'share', lang)}"
            for r in report.phases
        ),
        rtl=rtl,
    )
    out["area_stack"] = svg.phase_stack(
        [
            (names.get(a["pcode"]) or a["pcode"], {p: a[f"phase_{p}"] for p in range(1, 6)})
            for a in report.areas
        ],
        gettext("Weighted share of households in each phase, by area"),
        desc,
        phase_legend,
        rtl=rtl,
    )
    out["groups"] = {
        g.name: svg.intervals(
            [
                svg.Interval(
                    group_label(g.name, r["value"], lang), r["share"], r["ci_low"], r["ci_high"]
                )
                for r in g.rows
            ],
            gettext("Share in need by %(group)s", group=group_title(g.name, lang)),
            "; ".join(
                f"{group_label(g.name, r['value'], lang)}: {_fmt(r['share'], 'share', lang)}"
                for r in g.rows
            ),
            rtl=rtl,
        )
        for g in report.groups
    }
    titles = {
        "threat": gettext("Threats flagged as severe"),
        "vulnerability": gettext("Vulnerabilities flagged as severe"),
        "capacity": gettext("Strong capacities"),
    }
    out["indicators"] = {
        component: svg.intervals(
            [svg.Interval(r["label"], r["estimate"], r["ci_low"], r["ci_high"]) for r in rows],
            titles[component],
            "; ".join(f"{r['label']}: {_fmt(r['estimate'], 'share', lang)}" for r in rows),
            rtl=rtl,
        )
        for component, rows in report.indicators.items()
    }
    return out


def group_title(name: str, lang: str) -> str:
    gettext = translator(lang)
    return {
        "sex": gettext("Sex"),
        "age_bracket": gettext("Age group"),
        "disability": gettext("Disability (Washington Group)"),
    }.get(name, name)


def _fmt(value: float | None, kind: str, lang: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return str(format_percent(value, "#,##0.0%", locale=lang))
    return str(format_decimal(value, "#,##0", locale=lang))


def area_csv(report: PafReport) -> str:
    """The area table as CSV with an HXL hashtag row (cells neutralised against formulas)."""
    lvl = report.level if report.level.startswith("adm") else "adm1"
    columns = [
        ("pcode", f"#{lvl}+code"),
        ("name", f"#{lvl}+name"),
        ("n", "#meta+records"),
        ("area_phase", "#severity+phase"),
        *((f"phase_{p}", f"#indicator+phase{p}+pct") for p in range(1, 6)),
        ("share", "#inneed+pct"),
        ("ci_low", "#inneed+pct+low"),
        ("ci_high", "#inneed+pct+high"),
        ("population", "#population+ind"),
        ("pin", "#inneed+ind"),
        ("pin_low", "#inneed+ind+low"),
        ("pin_high", "#inneed+ind+high"),
        ("suppressed", "#meta+suppressed"),
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c for c, _ in columns])
    writer.writerow([t for _, t in columns])
    for row in report.areas:
        writer.writerow([_cell(row.get(c)) for c, _ in columns])
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1 else f"{value:.6f}".rstrip("0").rstrip(".")
    return neutralise(value) if isinstance(value, str) else value


def render_html(report: PafReport, lang: str = "en", *, links: bool = True) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGUAGES)}")
    gettext = translator(lang)
    env = _environment()
    template = env.get_template("paf.html")
    data = base64.b64encode(area_csv(report).encode("utf-8")).decode("ascii")
    return template.render(
        r=report,
        lang=lang,
        rtl=lang in RTL,
        _=gettext,
        gettext=gettext,
        figures=figures(report, lang),
        pillar=lambda code: _label("paf_pillars", code, lang),
        phase_name=lambda p: phase_name(p, lang),
        group_label=lambda name, v: group_label(name, v, lang),
        group_title=lambda name: group_title(name, lang),
        risk_label=lambda code: _label("gpc_risks", code, lang),
        pct=lambda v: _fmt(v, "share", lang),
        num=lambda v: _fmt(v, "number", lang),
        csv_href=Markup(f"data:text/csv;charset=utf-8;base64,{data}") if links else None,
    )


def render_pdf(report: PafReport, lang: str = "en") -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(
        string=render_html(report, lang, links=False), base_url=str(TEMPLATES)
    ).write_pdf()
    return pdf
