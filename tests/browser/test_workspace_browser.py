"""The workspace pages in a real browser, at phone (390px) and desktop widths, signed in as a
Professional member: the governance timeline with its chart, and the regulatory mapping with its
matrix; no console or page errors, nothing wider than a phone's screen."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.monitoring.models import WatchedPlatform
from tests.billing.helpers import default_plans_restore

# The browser fixture (and the async-unsafe allowance Playwright needs) come with it.
from tests.browser.test_pages_browser import browser  # noqa: F401
from tests.pages.sample_catalog import build_sample_catalog
from tests.tiers import member_on_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_timeline_and_mapping_pages_render_cleanly(browser, live_site, viewport):  # noqa: F811
    default_plans_restore()
    catalog = build_sample_catalog()
    user, organization = member_on_plan("professional")
    WatchedPlatform.objects.create(organization=organization, platform=catalog.platform)
    signed_in = Client()
    signed_in.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies(
        [{"name": "sessionid", "value": signed_in.cookies["sessionid"].value, "url": live_site.url}]
    )
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
    pages = {
        "timeline": (
            reverse("workspace:platform_timeline", kwargs={"platform_slug": catalog.platform.slug}),
            "#activity-chart",
        ),
        "mapping": (
            reverse("workspace_org:mapping", kwargs={"org_slug": organization.slug}),
            "#mapping-matrix",
        ),
    }
    try:
        for name, (path, main_part) in pages.items():
            response = page.goto(live_site.url + path, wait_until="load")
            assert response.status == 200, name
            assert page.locator("h1").first.is_visible(), name
            box = page.locator(main_part).bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, name
            if viewport == "phone":
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} is {overflow}px wider than a phone screen"
        # The chart's bars are drawn (one per month of the sample's 90-day history).
        page.goto(live_site.url + pages["timeline"][0], wait_until="load")
        assert page.locator("#activity-chart rect.activity-bar").count() >= 3
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.activity-bar')).fill"
        ) not in ("", "none"), "the workspace stylesheet did not load"
    finally:
        context.close()
    assert problems == []
