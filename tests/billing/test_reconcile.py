"""Reconciliation: the nightly task and `manage.py billing_sync` re-read every Stripe
subscription and repair drift left by a missed webhook, logging each repair."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from apps.billing.models import Plan, Subscription
from apps.billing.tasks import reconcile_subscriptions
from tests.billing.helpers import PRO_MONTHLY, WATCHER_MONTHLY, customer_org, plan_code

pytestmark = pytest.mark.django_db


def test_billing_sync_repairs_a_missed_webhook_and_logs_it(fake_stripe, caplog):
    _owner, organization = customer_org()
    fake_stripe.set_subscription("sub_1", customer="cus_known", status="active", price=PRO_MONTHLY)
    out = StringIO()
    with caplog.at_level(logging.WARNING, logger="apps.billing"):
        call_command("billing_sync", stdout=out)
    assert plan_code(organization) == "professional"
    assert f"{organization.slug}: repaired to professional (active)" in out.getvalue()
    assert "1 repair(s)." in out.getvalue()
    assert "Billing drift repaired" in caplog.text


def test_the_newest_subscription_wins(fake_stripe):
    _owner, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_old",
        customer="cus_known",
        status="active",
        price=WATCHER_MONTHLY,
        created=1_700_000_000,
    )
    fake_stripe.set_subscription(
        "sub_new", customer="cus_known", status="canceled", price=PRO_MONTHLY, created=1_800_000_000
    )
    reconcile_subscriptions()
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.stripe_subscription_id, subscription.plan.code) == ("sub_new", "free")


def test_nothing_to_repair_changes_nothing(fake_stripe):
    _owner, organization = customer_org()
    fake_stripe.set_subscription("sub_1", customer="cus_known", status="active", price=PRO_MONTHLY)
    assert reconcile_subscriptions() == 1
    assert reconcile_subscriptions() == 0
    assert plan_code(organization) == "professional"


def test_stripe_unreachable_skips_the_organization_and_logs(stripe_down, caplog):
    _owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        plan=Plan.objects.get(code="watcher"), status="active"
    )
    with caplog.at_level(logging.ERROR, logger="apps.billing"):
        assert reconcile_subscriptions() == 0
    assert plan_code(organization) == "watcher"
    assert "could not read" in caplog.text


def test_billing_sync_without_keys_says_so():
    with pytest.raises(CommandError, match="STRIPE_SECRET_KEY is not set"):
        call_command("billing_sync")


def test_without_keys_the_nightly_task_still_ends_expired_grace_periods():
    _owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        plan=Plan.objects.get(code="watcher"),
        status="past_due",
        grace_until=timezone.now() - timedelta(hours=1),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reconcile_subscriptions() == 1
    assert Subscription.objects.get(organization=organization).plan.code == "free"


def test_the_nightly_task_is_scheduled(settings):
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "apps.billing.tasks.reconcile_subscriptions" in entries
