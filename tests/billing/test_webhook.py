"""Stripe's webhook: verified on the raw body, applied once per event id, and deriving the plan
from the subscription's current state re-read from Stripe, whatever order events arrive in."""

import json
import logging
import threading
import time

import pytest
import stripe
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.billing.models import StripeEvent, Subscription
from tests.billing.fake_stripe import WEBHOOK_SECRET
from tests.billing.helpers import (
    PRO_MONTHLY,
    WATCHER_MONTHLY,
    customer_org,
    default_plans_restore,
    deliver,
    plan_code,
    post_event,
)

pytestmark = pytest.mark.django_db

WEBHOOK = "/billing/stripe/webhook/"


def test_the_webhook_lives_where_stripe_is_told_to_send_events():
    assert reverse("billing:stripe_webhook") == WEBHOOK


def _post(payload: bytes, HTTP_STRIPE_SIGNATURE=None):  # noqa: N803 (Django's header name)
    return post_event(payload, HTTP_STRIPE_SIGNATURE)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1700000000,v1=deadbeef",
        "garbage",
    ],
    ids=["missing", "empty", "wrong-signature", "unparseable"],
)
def test_a_delivery_without_a_valid_signature_is_400_and_changes_nothing(
    fake_stripe, signature, caplog
):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="active", price=WATCHER_MONTHLY
    )
    payload, _good = fake_stripe.signed_event("customer.subscription.updated", {"id": "sub_1"})
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}

    with caplog.at_level(logging.WARNING, logger="apps.billing"):
        response = _post(payload, **headers)

    assert response.status_code == 400
    assert plan_code(organization) == "free"
    assert not StripeEvent.objects.exists()
    assert "Stripe webhook rejected" in caplog.text


def test_a_body_altered_after_signing_is_400(fake_stripe):
    customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="active", price=WATCHER_MONTHLY
    )
    payload, header = fake_stripe.signed_event("customer.subscription.updated", {"id": "sub_1"})
    tampered = payload.replace(b"sub_1", b"sub_2")
    assert _post(tampered, HTTP_STRIPE_SIGNATURE=header).status_code == 400


def test_a_replay_with_a_too_old_timestamp_is_400(fake_stripe):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="active", price=WATCHER_MONTHLY
    )
    response = deliver(
        fake_stripe,
        "customer.subscription.updated",
        {"id": "sub_1"},
        timestamp=int(time.time()) - 3600,
    )
    assert response.status_code == 400
    assert plan_code(organization) == "free"


def test_a_signed_but_malformed_payload_is_400(fake_stripe):
    for body in ("not json at all", json.dumps({"id": "evt_1", "no": "type"})):
        header = fake_stripe_header(body)
        response = _post(body.encode(), HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 400, body
    assert not StripeEvent.objects.exists()


def fake_stripe_header(body: str) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)


def test_without_a_webhook_secret_every_delivery_is_400(fake_stripe, settings):
    customer_org()
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"})
    assert response.status_code == 400


def test_an_active_subscription_gives_its_prices_plan(fake_stripe):
    _user, organization = customer_org()
    fake_stripe.set_subscription("sub_1", customer="cus_known", status="active", price=PRO_MONTHLY)
    response = deliver(fake_stripe, "customer.subscription.created", {"id": "sub_1"})
    assert response.status_code == 200
    assert plan_code(organization) == "professional"
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.status == "active"
    assert subscription.stripe_subscription_id == "sub_1"
    assert subscription.current_period_end is not None


def test_the_event_payload_is_not_trusted_the_subscription_is_re_read(fake_stripe):
    """An event's own copy may be stale; Stripe's current state decides."""
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="canceled", price=PRO_MONTHLY
    )
    stale = {"id": "sub_1", "status": "active", "customer": "cus_known"}
    assert deliver(fake_stripe, "customer.subscription.updated", stale).status_code == 200
    assert plan_code(organization) == "free"
    assert fake_stripe.requests[-1].path == "/v1/subscriptions/sub_1"


def test_a_duplicate_delivery_answers_200_and_has_no_second_effect(fake_stripe, mailoutbox):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="past_due", price=WATCHER_MONTHLY
    )
    invoice = {"id": "in_1", "object": "invoice", "subscription": "sub_1"}
    first = deliver(fake_stripe, "invoice.payment_failed", invoice, event_id="evt_same")
    reads_after_first = len(fake_stripe.requests)
    second = deliver(fake_stripe, "invoice.payment_failed", invoice, event_id="evt_same")

    assert first.status_code == second.status_code == 200
    assert second.content == b"duplicate"
    assert StripeEvent.objects.filter(event_id="evt_same").count() == 1
    assert len(fake_stripe.requests) == reads_after_first
    failed_mails = [m for m in mailoutbox if "Payment failed" in m.subject]
    assert len(failed_mails) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", "watcher"),
        ("trialing", "watcher"),
        ("past_due", "watcher"),
        ("canceled", "free"),
        ("unpaid", "free"),
        ("incomplete_expired", "free"),
        ("incomplete", "free"),
    ],
)
def test_status_mapping(fake_stripe, status, expected):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status=status, price=WATCHER_MONTHLY
    )
    assert deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"}).status_code == 200
    assert plan_code(organization) == expected


def test_an_event_for_an_unknown_customer_changes_no_plan(fake_stripe, caplog):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_x", customer="cus_stranger", status="active", price=PRO_MONTHLY
    )
    with caplog.at_level(logging.WARNING, logger="apps.billing"):
        response = deliver(fake_stripe, "customer.subscription.created", {"id": "sub_x"})
    assert response.status_code == 200
    assert b"unknown customer" in response.content
    assert plan_code(organization) == "free"
    assert "unknown customer cus_stranger" in caplog.text


def test_an_event_for_an_unknown_price_changes_no_plan(fake_stripe, caplog):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="active", price="price_not_ours"
    )
    with caplog.at_level(logging.ERROR, logger="apps.billing"):
        response = deliver(fake_stripe, "customer.subscription.created", {"id": "sub_1"})
    assert response.status_code == 200
    assert b"unknown price" in response.content
    assert plan_code(organization) == "free"
    assert "unknown price price_not_ours" in caplog.text


def test_an_event_for_a_subscription_stripe_does_not_know_changes_nothing(fake_stripe):
    _user, organization = customer_org()
    response = deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_gone"})
    assert response.status_code == 200
    assert b"unknown subscription" in response.content
    assert plan_code(organization) == "free"


def test_metadata_naming_another_organization_is_refused(fake_stripe):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1",
        customer="cus_known",
        status="active",
        price=PRO_MONTHLY,
        organization_id=str(organization.pk + 1000),
    )
    response = deliver(fake_stripe, "customer.subscription.created", {"id": "sub_1"})
    assert response.status_code == 200
    assert plan_code(organization) == "free"


def test_stripe_unreachable_is_503_and_records_nothing_so_the_retry_applies_it(
    fake_stripe, settings
):
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="active", price=WATCHER_MONTHLY
    )
    payload, header = fake_stripe.signed_event(
        "customer.subscription.created", {"id": "sub_1"}, event_id="evt_retry"
    )
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    assert _post(payload, HTTP_STRIPE_SIGNATURE=header).status_code == 503
    assert not StripeEvent.objects.exists()
    assert plan_code(organization) == "free"

    settings.STRIPE_API_BASE = real_base
    assert _post(payload, HTTP_STRIPE_SIGNATURE=header).status_code == 200
    assert plan_code(organization) == "watcher"


def test_events_about_other_things_are_acknowledged_and_ignored(fake_stripe):
    customer_org()
    response = deliver(fake_stripe, "customer.updated", {"id": "cus_known"})
    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "ignored: not a billing event"


def test_the_webhook_is_post_only(fake_stripe):
    assert Client().get(WEBHOOK).status_code == 405


class TestOutOfOrder:
    """Events arrive in any order; the plan follows Stripe's current state and the newest
    subscription."""

    def test_created_after_deleted_leaves_the_organization_free(self, fake_stripe):
        _user, organization = customer_org()
        fake_stripe.set_subscription(
            "sub_1", customer="cus_known", status="canceled", price=WATCHER_MONTHLY
        )
        deliver(fake_stripe, "customer.subscription.deleted", {"id": "sub_1"})
        deliver(fake_stripe, "customer.subscription.created", {"id": "sub_1"})
        deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"})
        assert plan_code(organization) == "free"

    def test_an_old_subscriptions_deletion_arriving_late_keeps_the_new_plan(self, fake_stripe):
        _user, organization = customer_org()
        now = int(time.time())
        fake_stripe.set_subscription(
            "sub_old",
            customer="cus_known",
            status="canceled",
            price=WATCHER_MONTHLY,
            created=now - 86400,
        )
        fake_stripe.set_subscription(
            "sub_new", customer="cus_known", status="active", price=PRO_MONTHLY, created=now
        )
        deliver(fake_stripe, "customer.subscription.created", {"id": "sub_new"})
        deliver(fake_stripe, "customer.subscription.deleted", {"id": "sub_old"})
        deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_old"})
        assert plan_code(organization) == "professional"
        assert Subscription.objects.get(organization=organization).stripe_subscription_id == (
            "sub_new"
        )

    def test_updated_before_created_gives_the_current_plan(self, fake_stripe):
        _user, organization = customer_org()
        fake_stripe.set_subscription(
            "sub_1", customer="cus_known", status="active", price=PRO_MONTHLY
        )
        deliver(fake_stripe, "customer.subscription.updated", {"id": "sub_1"})
        deliver(fake_stripe, "customer.subscription.created", {"id": "sub_1"})
        assert plan_code(organization) == "professional"


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_apply_it_once(fake_stripe, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL; SQLite serialises every writer")
    default_plans_restore()
    _user, organization = customer_org()
    fake_stripe.set_subscription(
        "sub_1", customer="cus_known", status="past_due", price=WATCHER_MONTHLY
    )
    payload, header = fake_stripe.signed_event(
        "invoice.payment_failed",
        {"id": "in_1", "object": "invoice", "subscription": "sub_1"},
        event_id="evt_concurrent",
    )
    start = threading.Barrier(4)
    statuses = []

    def deliver_once():
        try:
            start.wait()
            statuses.append(_post(payload, HTTP_STRIPE_SIGNATURE=header).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200, 200, 200]
    assert StripeEvent.objects.filter(event_id="evt_concurrent").count() == 1
    assert len([m for m in mailoutbox if "Payment failed" in m.subject]) == 1
    assert plan_code(organization) == "watcher"
