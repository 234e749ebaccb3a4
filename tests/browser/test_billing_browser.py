"""From a locked provision page, through pricing, to Stripe Checkout (the local fake), in a
real browser, as a signed-in owner on the free plan."""

import pytest
from django.test import Client

from tests.billing.fake_stripe import fake_stripe_configured
from tests.billing.helpers import default_plans_restore

# The browser fixture (and the async-unsafe allowance Playwright needs) come with it.
from tests.browser.test_pages_browser import browser  # noqa: F401
from tests.factories import ProvisionFactory
from tests.tiers import member_on_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_stripe(settings):
    with fake_stripe_configured(settings) as fake:
        yield fake


def test_from_a_locked_provision_through_pricing_to_checkout(browser, live_site, fake_stripe):  # noqa: F811
    default_plans_restore()
    owner, organization = member_on_plan("free")
    provision = ProvisionFactory()
    signed_in = Client()
    signed_in.force_login(owner)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": signed_in.cookies["sessionid"].value,
                "url": live_site.url,
            }
        ]
    )
    page = context.new_page()
    try:
        page.goto(live_site.url + provision.get_absolute_url())
        locked = page.locator(".locked")
        assert "$9.99" in locked.inner_text()
        locked.get_by_role("link", name="Compare all plans").click()
        page.wait_for_url("**/pricing/")
        watcher = page.locator("#plan-watcher")
        assert "Your current plan" in page.locator("#plan-free").inner_text()
        watcher.get_by_role("button", name="Start 14-day free trial").click()
        page.wait_for_url(f"{fake_stripe.url}/checkout/**")
        assert page.locator("h1").inner_text() == "Fake Stripe Checkout"
    finally:
        context.close()
    [session] = fake_stripe.posts("/v1/checkout/sessions")
    assert session.params["metadata[organization_id]"] == str(organization.pk)
    assert session.params["subscription_data[trial_period_days]"] == "14"
