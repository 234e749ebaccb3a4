"""One organization's whole journey: upgrade → trial → active → past_due → canceled, and what
it can see and track at each step. Stripe's side is the fake server; every change arrives as a
signed webhook event, as in production."""

import time
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.billing.entitlements import entitlements_for_organization, platform_quota
from apps.billing.models import Subscription
from apps.billing.services import subscriptions_reconcile
from apps.monitoring.models import WatchedPlatform
from apps.monitoring.selectors import watchlist_usage
from apps.monitoring.services import watchlist_add_platform
from tests.billing.helpers import WATCHER_MONTHLY, customer_org, deliver
from tests.factories import PlatformFactory, ProvisionFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db

CITATION = "LOCKED-REGULATORY-FRAMEWORK"


def _track(organization, count):
    return [
        watchlist_add_platform(organization=organization, platform_ref=PlatformFactory().slug)
        for _ in range(count)
    ]


def _platform_quota(organization):
    return platform_quota(
        entitlements=entitlements_for_organization(organization),
        usage=watchlist_usage(organization=organization),
    )


def _sees_citations(client, provision) -> bool:
    return CITATION in client.get(provision.get_absolute_url()).content.decode()


def _subjects(mailoutbox) -> list[str]:
    return [message.subject for message in mailoutbox]


def test_upgrade_trial_active_past_due_canceled(fake_stripe, mailoutbox):
    owner, organization = member_on_plan("free", email="owner@example.test")
    client = csrf_client(owner)
    provision = ProvisionFactory()
    [first_platform] = _track(organization, 1)
    assert not _platform_quota(organization).allowed
    assert not _sees_citations(client, provision)

    # Upgrade: the owner clicks "Start trial" and is sent to Checkout; nothing changes yet.
    checkout = csrf_post(
        client,
        reverse("billing:checkout", kwargs={"org_slug": organization.slug}),
        {"plan": "watcher", "interval": "monthly", "trial": "1"},
        form_page=reverse("billing:pricing"),
    )
    assert checkout["Location"].startswith(fake_stripe.url)
    assert entitlements_for_organization(organization).plan_code == "free"
    customer = Subscription.objects.get(organization=organization).stripe_customer_id

    # Trial: Stripe completes the checkout with a trialing subscription.
    now = int(time.time())
    fake_stripe.set_subscription(
        "sub_life",
        customer=customer,
        status="trialing",
        price=WATCHER_MONTHLY,
        organization_id=str(organization.pk),
        trial_end=now + 14 * 86400,
    )
    completed = {
        "id": "cs_1",
        "object": "checkout.session",
        "subscription": "sub_life",
        "customer": customer,
    }
    assert deliver(fake_stripe, "checkout.session.completed", completed).status_code == 200
    entitlements = entitlements_for_organization(organization)
    assert (entitlements.plan_code, entitlements.sees_regulatory_citations) == ("watcher", True)
    assert _sees_citations(client, provision)
    _track(organization, 5)
    assert _platform_quota(organization).used == 6
    assert _subjects(mailoutbox) == [f"Your Watcher trial has started for {organization.name}"]
    billing_page = client.get(
        reverse("billing:billing_page", kwargs={"org_slug": organization.slug})
    )
    assert "Trial ends" in billing_page.content.decode()
    assert Subscription.objects.get(organization=organization).trial_used_at is not None

    deliver(fake_stripe, "customer.subscription.trial_will_end", {"id": "sub_life"})
    assert "ends in 3 days" in _subjects(mailoutbox)[-1]

    # Active: the first invoice is paid.
    fake_stripe.set_subscription(
        "sub_life", customer=customer, status="active", price=WATCHER_MONTHLY, created=now
    )
    deliver(
        fake_stripe,
        "invoice.paid",
        {
            "id": "in_1",
            "object": "invoice",
            "parent": {"subscription_details": {"subscription": "sub_life"}},
        },
    )
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.status, subscription.plan.code) == ("active", "watcher")
    fake_stripe.add_invoice(customer, number="CA-0001", amount_due=999)
    billing_page = client.get(
        reverse("billing:billing_page", kwargs={"org_slug": organization.slug})
    ).content.decode()
    assert "Renews" in billing_page
    assert "https://invoice.stripe.test/CA-0001" in billing_page
    assert "9.99 USD" in billing_page

    # Past due: the plan is kept for the grace period, and owners see a banner.
    fake_stripe.set_subscription(
        "sub_life", customer=customer, status="past_due", price=WATCHER_MONTHLY, created=now
    )
    deliver(
        fake_stripe,
        "invoice.payment_failed",
        {"id": "in_2", "object": "invoice", "subscription": "sub_life"},
    )
    subscription.refresh_from_db()
    assert subscription.plan.code == "watcher"
    assert subscription.grace_until.date() == (timezone.now() + timedelta(days=7)).date()
    assert entitlements_for_organization(organization).plan_code == "watcher"
    assert _sees_citations(client, provision)
    assert "Payment failed" in _subjects(mailoutbox)[-1]
    dashboard = client.get(organization.get_absolute_url()).content.decode()
    assert "The last payment failed" in dashboard

    # Canceled: back to free; nothing deleted, the newest extra platforms paused.
    fake_stripe.set_subscription(
        "sub_life", customer=customer, status="canceled", price=WATCHER_MONTHLY, created=now
    )
    deliver(fake_stripe, "customer.subscription.deleted", {"id": "sub_life"})
    assert entitlements_for_organization(organization).plan_code == "free"
    assert not _sees_citations(client, provision)
    assert WatchedPlatform.objects.filter(organization=organization).count() == 6
    monitored = WatchedPlatform.objects.filter(organization=organization).monitored()
    assert list(monitored) == [first_platform]
    assert not _platform_quota(organization).allowed
    assert "was canceled" in _subjects(mailoutbox)[-1]
    dashboard = client.get(organization.get_absolute_url()).content.decode()
    assert "5 items are paused" in dashboard
    assert dashboard.count(">Paused</span>") == 5
    assert "The last payment failed" not in dashboard


def test_past_due_beyond_the_grace_period_drops_to_free(fake_stripe):
    _owner, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="past_due", price=WATCHER_MONTHLY
    )
    deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"})
    _track(organization, 3)
    assert entitlements_for_organization(organization).plan_code == "watcher"

    Subscription.objects.filter(organization=organization).update(
        grace_until=timezone.now() - timedelta(minutes=1)
    )
    assert entitlements_for_organization(organization).plan_code == "free"
    with TestCase.captureOnCommitCallbacks(execute=True):
        repairs = subscriptions_reconcile()
    assert repairs == [
        f"{organization.slug}: repaired to free (past_due) from Stripe subscription sub_1"
    ]
    assert WatchedPlatform.objects.filter(organization=organization).monitored().count() == 1
    assert WatchedPlatform.objects.filter(organization=organization).paused().count() == 2

    # A later update while still past due does not bring the plan back.
    deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"})
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.plan.code == "free"
    assert entitlements_for_organization(organization).plan_code == "free"
