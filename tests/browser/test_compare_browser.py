"""The comparison page in a real browser at a phone's and a desktop's width: nothing wider than
the screen, no script errors; and the provision page's "Copy link" button, which only the
script reveals."""

import os

import pytest

from tests.browser.test_pages_browser import browser  # noqa: F401 -- the shared fixture
from tests.factories import PlatformFactory, ProvisionFactory
from tests.pages.sample_catalog import build_sample_catalog

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _collect_problems(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_comparison_page_fits_the_screen(browser, live_site, viewport):  # noqa: F811
    build_sample_catalog()
    # Five platforms with long names and titles: the widest comparison there is.
    slugs = ["luma-ai", "hulu"]
    for index in range(3):
        platform = PlatformFactory(
            name=f"Extraordinarily Long Platform Name Number {index}", slug=f"long-{index}"
        )
        ProvisionFactory(
            document__platform=platform,
            title="A provision title long enough to need wrapping on any screen " * 2,
        )
        slugs.append(platform.slug)
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems = _collect_problems(page)
    try:
        response = page.goto(f"{live_site.url}/compare/?platforms={','.join(slugs)}")
        assert response.status == 200
        assert page.locator("#comparison").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the comparison is {overflow}px wider than the {viewport} screen"
        header_visible = page.locator("#comparison thead").bounding_box()["height"] > 1
        # A phone reads each clause type as a card naming the platforms; a desktop, a table.
        assert header_visible == (viewport == "desktop")
        first_cell_label = page.evaluate(
            "getComputedStyle(document.querySelector('#comparison td'), '::before').content"
        )
        assert (first_cell_label == '"Luma AI"') == (viewport == "phone")

        picker = page.goto(f"{live_site.url}/compare/?platforms=luma-ai")
        assert picker.status == 200 and page.locator("#compare-platform-1").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()
    assert problems == []


def test_copy_link_button_appears_and_copies(browser, live_site):  # noqa: F811
    catalog = build_sample_catalog()
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_site.url)
    page = context.new_page()
    problems = _collect_problems(page)
    try:
        page.goto(live_site.url + catalog.provision.get_absolute_url())
        button = page.locator("[data-copy-target='share-url']")
        assert button.is_visible()
        button.click()
        page.locator(".share__status", has_text="Link copied.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.endswith(catalog.provision.get_absolute_url())
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()
    assert problems == []
