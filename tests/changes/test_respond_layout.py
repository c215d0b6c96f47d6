"""The respond page on a phone: read in a real browser (Debian's Chromium driven by Playwright) at 390 px wide,
nothing is wider than the screen (a lawyer reading the notice on a phone must not scroll sideways)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.changes.conftest import MAILJET, earliest

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (/usr/bin/chromium); `make test` installs it", allow_module_level=True)


@pytest.mark.parametrize("language", ["ro", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_respond_page_fits_the_screen(
    client, link, make_subprocessor, make_client, make_change, announce, language, width
):
    customer = make_client("Popescu", language=language)
    mailjet = make_subprocessor("Mailjet", **MAILJET)
    change = make_change(mailjet["id"], effective_on=earliest(30).isoformat())
    announce(change["id"])
    html = client.get(link(change["id"], customer["id"])).text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html)  # the page is self-contained: its style is inline, it loads nothing
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert page.get_by_text("Mailjet SAS").is_visible()
        finally:
            browser.close()
    assert overflow <= 0, f"{overflow} px wider than a {width} px screen"


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_change_log_fits_a_phone(client, make_subprocessor, make_client, make_change, announce, language):
    """The change log's table becomes one labelled block per change at 390 px (the dates in words made it wider)."""
    make_client("Popescu", language=language)
    change = make_change(make_subprocessor("Mailjet", **MAILJET)["id"], effective_on=earliest(30).isoformat())
    announce(change["id"])
    html = client.get(f"/subprocessors/changes?lang={language}").text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 900})
            page.set_content(html)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        finally:
            browser.close()
    assert overflow <= 0, f"{overflow} px wider than a 390 px screen"
