"""Checkout and the Customer Portal: POST-only, for owners and admins, one Stripe customer per
organization, the organization's id in the metadata, a trial once, and no plan change until
Stripe's webhook says so."""

import logging
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from apps.accounts.models import Membership, Role
from apps.billing import services
from apps.billing.models import Plan, Subscription
from tests.billing.helpers import WATCHER_MONTHLY, customer_org, default_plans_restore, plan_code
from tests.factories import UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def _checkout(client, organization, **data):
    url = reverse("billing:checkout", kwargs={"org_slug": organization.slug})
    form = {"plan": "watcher", "interval": "monthly", "trial": "1", **data}
    return csrf_post(client, url, form, form_page=organization.get_absolute_url())


def _messages(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_an_owner_is_sent_to_stripe_checkout_and_nothing_changes_yet(fake_stripe):
    owner, organization = member_on_plan("free")
    response = _checkout(csrf_client(owner), organization)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake_stripe.url}/checkout/cs_test_")
    [customer] = fake_stripe.posts("/v1/customers")
    [session] = fake_stripe.posts("/v1/checkout/sessions")
    assert customer.params["metadata[organization_id]"] == str(organization.pk)
    assert (
        session.params["customer"]
        == Subscription.objects.get(organization=organization).stripe_customer_id
    )
    assert session.params["line_items[0][price]"] == WATCHER_MONTHLY
    assert session.params["metadata[organization_id]"] == str(organization.pk)
    assert session.params["subscription_data[metadata][organization_id]"] == str(organization.pk)
    assert session.params["subscription_data[trial_period_days]"] == "14"
    assert session.params["success_url"].endswith("?checkout=success")
    assert customer.idempotency_key == f"customer-create-organization-{organization.pk}"
    assert session.idempotency_key.startswith(f"checkout-{organization.pk}-")
    assert plan_code(organization) == "free"


def test_the_success_redirect_changes_no_plan(fake_stripe):
    owner, organization = member_on_plan("free")
    client = csrf_client(owner)
    _checkout(client, organization)
    page = client.get(
        reverse("billing:billing_page", kwargs={"org_slug": organization.slug}),
        {"checkout": "success"},
    )
    assert page.status_code == 200
    assert "as soon as Stripe confirms" in page.content.decode()
    assert plan_code(organization) == "free"


def test_the_trial_length_is_plan_data(fake_stripe):
    Plan.objects.filter(code="watcher").update(trial_days=7)
    owner, organization = member_on_plan("free")
    _checkout(csrf_client(owner), organization)
    [session] = fake_stripe.posts("/v1/checkout/sessions")
    assert session.params["subscription_data[trial_period_days]"] == "7"


def test_a_second_checkout_reuses_the_organizations_customer(fake_stripe):
    owner, organization = member_on_plan("free")
    client = csrf_client(owner)
    _checkout(client, organization)
    _checkout(client, organization, plan="professional", trial="")
    assert len(fake_stripe.posts("/v1/customers")) == 1
    customers = {r.params["customer"] for r in fake_stripe.posts("/v1/checkout/sessions")}
    assert len(customers) == 1


def test_a_plain_member_cannot_start_a_checkout(fake_stripe, caplog):
    _owner, organization = member_on_plan("free")
    member = UserFactory()
    Membership.objects.create(organization=organization, user=member, role=Role.MEMBER)
    with caplog.at_level(logging.INFO, logger="apps.billing"):
        response = _checkout(csrf_client(member), organization)
    assert response.status_code == 302
    assert "Only owners and admins" in _messages(response)
    assert fake_stripe.requests == []
    assert "not an owner or admin" in caplog.text


def test_an_admin_may_start_a_checkout(fake_stripe):
    _owner, organization = member_on_plan("free")
    admin = UserFactory()
    Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)
    response = _checkout(csrf_client(admin), organization)
    assert response["Location"].startswith(f"{fake_stripe.url}/checkout/")


def test_a_checkout_for_the_plan_already_held_is_refused(fake_stripe):
    owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        plan=Plan.objects.get(code="watcher"), status="active", stripe_subscription_id="sub_1"
    )
    response = _checkout(csrf_client(owner), organization, trial="")
    assert "already on Watcher" in _messages(response)
    assert fake_stripe.posts("/v1/checkout/sessions") == []


def test_a_second_trial_is_refused_but_upgrading_without_one_works(fake_stripe, caplog):
    owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        trial_used_at="2026-01-01T00:00:00Z", status="canceled"
    )
    client = csrf_client(owner)
    with caplog.at_level(logging.INFO, logger="apps.billing"):
        refused = _checkout(client, organization)
    assert "already had its free trial" in _messages(refused)
    assert "Second trial refused" in caplog.text
    assert fake_stripe.posts("/v1/checkout/sessions") == []

    _checkout(client, organization, trial="")
    [session] = fake_stripe.posts("/v1/checkout/sessions")
    assert "subscription_data[trial_period_days]" not in session.params


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"plan": "free"}, "Choose one of the paid plans"),
        ({"plan": "no-such-plan"}, "Choose one of the paid plans"),
        ({"interval": "weekly"}, "Choose monthly or yearly"),
        ({"plan": "professional", "interval": "yearly"}, "not offered with yearly billing"),
    ],
)
def test_bad_checkout_input_gets_a_clear_message(fake_stripe, data, message):
    owner, organization = member_on_plan("free")
    response = _checkout(csrf_client(owner), organization, **data)
    assert response.status_code == 302
    assert message in _messages(response)
    assert fake_stripe.requests == []


def test_stripe_unreachable_when_clicking_upgrade_gets_a_clear_message(stripe_down, caplog):
    owner, organization = member_on_plan("free")
    with caplog.at_level(logging.ERROR, logger="apps.billing"):
        response = _checkout(csrf_client(owner), organization)
    assert response.status_code == 302
    assert "could not reach our payment provider" in _messages(response)
    assert "Checkout for" in caplog.text
    assert plan_code(organization) == "free"
    assert not Subscription.objects.filter(
        organization=organization, stripe_customer_id__isnull=False
    ).exists()


def test_checkout_and_portal_are_post_only(fake_stripe):
    owner, organization = member_on_plan("free")
    client = csrf_client(owner)
    for name in ("billing:checkout", "billing:portal", "billing:upgrade_request"):
        assert client.get(reverse(name, kwargs={"org_slug": organization.slug})).status_code == 405


def test_the_portal_opens_for_an_owner_with_a_customer(fake_stripe):
    owner, organization = customer_org()
    url = reverse("billing:portal", kwargs={"org_slug": organization.slug})
    response = csrf_post(csrf_client(owner), url, form_page=organization.get_absolute_url())
    assert response["Location"].startswith(f"{fake_stripe.url}/portal/")
    [portal] = fake_stripe.posts("/v1/billing_portal/sessions")
    assert portal.params["customer"] == "cus_known"
    assert portal.params["return_url"].endswith(f"/orgs/{organization.slug}/billing/")
    assert portal.idempotency_key.startswith(f"portal-{organization.pk}-")


def test_the_portal_is_refused_to_members_and_to_organizations_without_a_customer(fake_stripe):
    _owner, organization = customer_org()
    member = UserFactory()
    Membership.objects.create(organization=organization, user=member, role=Role.MEMBER)
    url = reverse("billing:portal", kwargs={"org_slug": organization.slug})
    refused = csrf_post(csrf_client(member), url, form_page=organization.get_absolute_url())
    assert "Only owners and admins" in _messages(refused)

    free_owner, free_org = member_on_plan("free")
    url = reverse("billing:portal", kwargs={"org_slug": free_org.slug})
    no_customer = csrf_post(csrf_client(free_owner), url, form_page=free_org.get_absolute_url())
    assert "no online subscription" in _messages(no_customer)
    assert fake_stripe.requests == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_create_one_stripe_customer(fake_stripe):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL; SQLite serialises every writer")
    default_plans_restore()
    owner, organization = member_on_plan("free")
    fake_stripe.customer_create_delay = 0.3
    start = threading.Barrier(4)
    urls, errors = [], []

    def click():
        try:
            start.wait()
            # A new thread starts with no scope, as a request does before its view resolves
            # the organization.
            with scope(organization=organization):
                urls.append(
                    services.checkout_start(
                        organization=organization,
                        actor=owner,
                        plan_code="watcher",
                        interval="monthly",
                        with_trial=True,
                        success_url="http://testserver/ok",
                        cancel_url="http://testserver/no",
                    )
                )
        except Exception as error:  # every outcome is asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(urls) == 4
    assert len(fake_stripe.posts("/v1/customers")) == 1
    assert len({r.params["customer"] for r in fake_stripe.posts("/v1/checkout/sessions")}) == 1
    assert Subscription.objects.filter(organization=organization).count() == 1
