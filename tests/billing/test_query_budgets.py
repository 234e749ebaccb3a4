"""The billing pages' queries do not grow with the number of plans or invoices."""

import pytest
from django.urls import reverse

from apps.billing.models import Plan
from tests.billing.helpers import customer_org
from tests.tiers import csrf_client

pytestmark = pytest.mark.django_db


def test_the_pricing_page_queries_are_constant(
    fake_stripe, settings, django_assert_max_num_queries
):
    # The queries of building the member's account data, which the plans' change would
    # otherwise make the second count alone pay (apps.core.viewer_cache).
    settings.VIEWER_CACHE_ENABLED = False
    owner, _organization = customer_org()
    client = csrf_client(owner)
    client.get("/pricing/")  # warm the session
    with django_assert_max_num_queries(9) as few:
        assert client.get("/pricing/").status_code == 200
    for index in range(5):
        Plan.objects.create(
            code=f"extra-{index}", name=f"Extra {index}", monthly_price=5, max_tracked_platforms=3
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/pricing/").status_code == 200


def test_the_billing_page_queries_are_constant(fake_stripe, django_assert_max_num_queries):
    owner, organization = customer_org()
    client = csrf_client(owner)
    url = reverse("billing:billing_page", kwargs={"org_slug": organization.slug})
    client.get(url)
    with django_assert_max_num_queries(9) as few:
        assert client.get(url).status_code == 200
    for number in range(10):
        fake_stripe.add_invoice("cus_known", number=f"CA-{number}", amount_due=999)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("https://invoice.stripe.test/CA-") == 10
