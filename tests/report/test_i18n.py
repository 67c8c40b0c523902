"""Every string of the report's template and figures is in the fr, es and ar catalogs."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from safepath.report import render

REPORT = Path(render.__file__).parent


def test_every_report_string_is_translated() -> None:
    ids = {
        str(m[2])
        for m in extract_from_dir(str(REPORT / "templates"), method_map=[("**.html", "jinja2")])
    }
    ids |= set(re.findall(r'gettext\("([^"]+)"', (REPORT / "render.py").read_text("utf-8")))
    assert len(ids) > 50
    for lang in ("fr", "es", "ar"):
        missing = sorted(i for i in ids if i not in render.messages(lang))
        assert not missing, f"{lang}: untranslated {missing}"


def test_a_translated_string_takes_its_values() -> None:
    gettext = render.translator("fr")
    assert (
        gettext("Withheld: fewer than %(k)s records.", k=5)
        == "Masqué : moins de 5 enregistrements."
    )
    assert render.translator("ar")("Protection analysis") == "تحليل الحماية"
