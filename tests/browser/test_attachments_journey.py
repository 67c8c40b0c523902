"""A caseworker attaches a scanned document on the case page, sees it listed, downloads the same
bytes, is told why a program renamed ``.pdf`` is refused, and deletes the document."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from tests.browser.pages import prepare

if TYPE_CHECKING:
    from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_attach_a_pdf_on_the_case_page(visit: Visit) -> None:
    page = visit.page
    path = prepare(page, visit.base, "/cases/{case}", "caseworker")
    visit.go(path + "#attachments")
    section = page.locator("section#attachments")
    section.locator("summary", has_text="Attach a file").click()
    page.set_input_files(
        "#attachment-file",
        files=[{"name": "identity-scan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    with page.expect_navigation():
        section.locator("button", has_text="Attach the file").click()
    assert re.search(r"\?attachment=uploaded#attachments$", page.url)
    assert "The file is attached." in section.locator("[role=status]").inner_text()
    row = section.locator("tr[data-attachment]", has_text="identity-scan.pdf")
    assert row.count() == 1
    assert "KB" in row.inner_text()

    with page.expect_download() as info:
        row.locator("a", has_text="identity-scan.pdf").click()
    download = info.value
    assert download.suggested_filename == "identity-scan.pdf"
    saved = download.path()
    assert saved is not None
    with open(saved, "rb") as fh:
        assert fh.read() == PDF

    # a program renamed .pdf: refused, said in words, nothing listed
    section.locator("summary", has_text="Attach a file").click()
    page.set_input_files(
        "#attachment-file",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00"}],
    )
    with page.expect_navigation() as nav:
        section.locator("button", has_text="Attach the file").click()
    assert nav.value.status == 415
    assert "This type of file is not accepted" in page.locator("p.error").inner_text()
    assert page.locator("tr[data-attachment]", has_text="invoice.pdf").count() == 0

    # delete it again (the demo case stays as the other tests expect it)
    row = page.locator("section#attachments tr[data-attachment]", has_text="identity-scan.pdf")
    row.locator("summary", has_text="Delete").click()
    row.locator("input[name=confirm]").check()
    with page.expect_navigation():
        row.locator("button", has_text="Delete the file").click()
    assert re.search(r"\?attachment=deleted#attachments$", page.url)
    assert page.locator("tr[data-attachment]", has_text="identity-scan.pdf").count() == 0
