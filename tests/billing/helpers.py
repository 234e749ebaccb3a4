"""Arranging organizations with a Stripe customer, and delivering webhook events as Stripe
does, for the billing tests."""

from importlib import import_module

from django.apps import apps as django_apps
from django.test import Client, TestCase
from django.urls import reverse

from apps.accounts.models import Organization, User
from apps.billing.entitlements import entitlements_for_organization
from apps.billing.models import DEFAULT_PLAN_CODE, Plan, Subscription
from tests.billing.fake_stripe import PRICE_IDS, FakeStripe
from tests.tiers import member_on_plan

WATCHER_MONTHLY = PRICE_IDS["watcher"]["monthly"]
PRO_MONTHLY = PRICE_IDS["professional"]["monthly"]


def default_plans_restore() -> None:
    """Puts the migrations' plans back: a transactional test may run after another one has
    flushed the database, migration data included."""
    for module_name, function_name in (
        ("apps.billing.migrations.0002_default_plans", "create_default_plans"),
        ("apps.billing.migrations.0003_stripe_subscriptions", "set_yearly_prices"),
        ("apps.billing.migrations.0004_plan_api_rates", "set_api_rates"),
        (
            "apps.billing.migrations.0005_professional_description_without_unbuilt_features",
            "describe_delivered_features",
        ),
        (
            "apps.billing.migrations.0006_plan_memo_pdf_and_workspace_features",
            "grant_workspace_features",
        ),
    ):
        getattr(import_module(module_name), function_name)(django_apps, None)


def customer_org(customer_id: str = "cus_known", **user_fields) -> tuple[User, Organization]:
    """A free organization whose Stripe customer already exists, as after a first checkout."""
    user, organization = member_on_plan(DEFAULT_PLAN_CODE, **user_fields)
    Subscription.objects.update_or_create(
        organization=organization,
        defaults={
            "plan": Plan.objects.get(code=DEFAULT_PLAN_CODE),
            "stripe_customer_id": customer_id,
        },
    )
    return user, organization


def deliver(fake: FakeStripe, event_type: str, obj: dict, **signing):
    """Posts a signed event to the webhook the way Stripe does; returns the response."""
    payload, header = fake.signed_event(event_type, obj, **signing)
    return post_event(payload, header)


def post_event(payload: bytes, header: str | None):
    """Posts a raw delivery, running what it defers to after the commit (emails, the watchlist
    fitting to a new plan) as a real request's commit would."""
    headers = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(
            reverse("billing:stripe_webhook"),
            data=payload,
            content_type="application/json",
            **headers,
        )


def plan_code(organization: Organization) -> str:
    return entitlements_for_organization(organization).plan_code
