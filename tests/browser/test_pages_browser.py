"""The public pages in a real browser, at phone and desktop widths: no console errors, no page
errors, nothing wider than the screen on a phone."""

import os

import pytest

from tests.browser.chromium import chromium_executable
from tests.pages.sample_catalog import build_sample_catalog

# Playwright's sync API runs its own event loop in this thread; the live server's database
# access happens in another thread and is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def browser():
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_main_pages_render_cleanly(browser, live_site, viewport):
    catalog = build_sample_catalog()
    pages = {
        "home": "/",
        "platform": catalog.platform.get_absolute_url(),
        "provision": catalog.provision.get_absolute_url(),
    }
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    try:
        for name, path in pages.items():
            response = page.goto(live_site.url + path, wait_until="load")
            assert response.status == 200, name
            assert page.locator("h1").first.is_visible(), name
            if viewport == "phone":
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} is {overflow}px wider than a phone screen"
        assert page.get_attribute('link[rel="stylesheet"]', "href").endswith("site.css")
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.badge--severity')).backgroundColor"
        ) not in ("", "rgba(0, 0, 0, 0)"), "the stylesheet did not load"
    finally:
        context.close()
    assert problems == []
