"""The public list in a real browser (Debian's Chromium driven by Playwright) against a real HTTP server.

The server is werkzeug's, in a thread, on 127.0.0.1 with its own migrated SQLite database (this test does not use
the rolled-back `app` fixture: the server's thread commits for real).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import feedparser
import flask_migrate
import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from registry import create_app
from registry.audit.services import Actor
from registry.auth import services as auth_services
from registry.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (/usr/bin/chromium); `make test` installs it", allow_module_level=True)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'registry.sqlite3'}",
            "SECRET_KEY": "browser-test",
            "INSTANCE_OUTBOX": str(folder / "outbox"),
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    with app.app_context():
        flask_migrate.upgrade()
        user = auth_services.create_user("legal@example.test", "legal", name="Legal", actor=Actor("test"))
        _, token = auth_services.issue_token(user, actor=Actor("test"))
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for slug in ("crm", "sms"):
        assert (
            client.post("/api/v1/services", json={"slug": slug, "name": slug.upper()}, headers=headers).status_code
            == 201
        )
    for name, category, service, country in (
        ("AWS", "hosting", "crm", "DE"),
        ("LINK Mobility", "sms", "sms", "RO"),
        ("Mailgun", "email", "crm", "DE"),
    ):
        body = {
            "name": name,
            "legal_name": f"{name} Ltd",
            "country": country,
            "category": category,
            "purpose": f"{category} for {service}",
            "services": [service],
            "locations": [{"country": country, "role": "processing"}],
            "status": "active",
        }
        response = client.post("/api/v1/subprocessors", json=body, headers=headers)
        assert response.status_code == 201, response.json
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(locale="en-GB", java_script_enabled=False)  # the page needs no JS
            yield context.new_page()
        finally:
            browser.close()


def names(page: Page) -> list[str]:
    return page.locator("article.subprocessor h3").all_inner_texts()


def test_switch_language_filter_and_follow_the_feed(base_url: str, page: Page) -> None:
    page.goto(f"{base_url}/subprocessors")
    assert page.locator("h1").inner_text() == "Our sub-processors"
    assert names(page) == ["AWS", "Mailgun", "LINK Mobility"]  # hosting, email, sms: grouped by category

    page.locator("#language-switch").get_by_text("Română").click()
    page.wait_for_url("**/subprocessors?lang=ro")
    assert page.locator("h1").inner_text() == "Sub-împuterniciții noștri"
    assert page.locator("html").get_attribute("lang") == "ro"

    page.locator("select[name=category]").select_option("sms")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**category=sms**")
    assert names(page) == ["LINK Mobility"]
    assert page.locator("section.category h2").all_inner_texts() == ["SMS"]
    assert "lang=ro" in page.url  # the language survives filtering

    with page.expect_response(lambda response: "/feeds/subprocessors.atom" in response.url) as feed_response:
        page.locator("#feed-atom").click()
    response = feed_response.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo
    assert feed.feed.language == "ro"  # the Romanian page links the Romanian feed
    assert feed.feed.title.startswith("Modificări ale sub-împuterniciților")
