"""Reads of plan data and of an organization's billing state."""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Organization
from apps.billing import stripe_gateway
from apps.billing.entitlements import (
    PlanFeature,
    plan_for_organization,
    plan_offers,
    subscription_in_force,
)
from apps.billing.models import DEFAULT_PLAN_CODE, Plan, StripeStatus, Subscription
from apps.billing.stripe_gateway import GatewayError, InvoiceRow

logger = logging.getLogger(__name__)

# Statuses under which the organization's plan is changed in the Customer Portal, not by a
# new Checkout.
PORTAL_STATUSES = frozenset({StripeStatus.ACTIVE, StripeStatus.TRIALING, StripeStatus.PAST_DUE})


def plan_list_public() -> QuerySet[Plan]:
    return Plan.objects.filter(is_public=True).order_by("position", "monthly_price")


def subscription_for_organization(*, organization: Organization | None) -> Subscription | None:
    if organization is None:
        return None
    return Subscription.objects.select_related("plan").filter(organization=organization).first()


@dataclass(frozen=True)
class PricingOffer:
    """One plan on the pricing page (or in the locked-memo block) and what the viewer can do
    about it. `features` and `coming` are the entitlements' declaration of what the plan
    includes; `action` is one of: current, signup, trial, upgrade, portal, request,
    ask_manager, none."""

    plan: Plan
    features: list[PlanFeature]
    coming: list[PlanFeature]
    price: Decimal
    interval: str
    action: str
    label: str
    is_chosen: bool


def _price(plan: Plan, interval: str) -> Decimal:
    return plan.yearly_price if interval == "yearly" else plan.monthly_price


def yearly_offered() -> bool:
    """Yearly billing is shown where a yearly Stripe price is configured (or, without online
    payment, where the plan data gives a yearly price)."""
    if stripe_gateway.is_configured():
        return any(stripe_gateway.price_id_for(plan.code, "yearly") for plan in plan_list_public())
    return plan_list_public().filter(yearly_price__isnull=False).exists()


def pricing_offers(
    *,
    organization: Organization | None,
    subscription: Subscription | None,
    is_manager: bool,
    interval: str = "monthly",
    chosen_plan_code: str = "",
) -> list[PricingOffer]:
    """Every public plan with its price for `interval` and the action open to the viewer: a
    visitor signs up (the chosen plan remembered), a member without payment rights asks an
    owner, an organization with a live subscription changes it in the Customer Portal, others
    start a trial (once per organization) or upgrade; without Stripe keys they request it.
    `subscription` is the organization's (None without one)."""
    if organization is None:
        current_code = ""
    elif subscription_in_force(subscription):
        current_code = subscription.plan.code
    else:
        current_code = DEFAULT_PLAN_CODE
    has_live_subscription = subscription is not None and subscription.status in PORTAL_STATUSES
    trial_used = subscription is not None and subscription.trial_used_at is not None
    configured = stripe_gateway.is_configured()
    offers = []
    plan_entries = plan_offers(plan_list_public())
    current_price = next(
        (entry.plan.monthly_price for entry in plan_entries if entry.plan.code == current_code),
        Decimal(0),
    )
    for entry in plan_entries:
        plan = entry.plan
        offer_interval = interval
        if interval == "yearly" and (
            plan.yearly_price is None
            or (configured and not stripe_gateway.price_id_for(plan.code, "yearly"))
        ):
            offer_interval = "monthly"
        is_free = plan.code == DEFAULT_PLAN_CODE
        direction = "Upgrade" if plan.monthly_price > current_price else "Downgrade"
        if plan.code == current_code:
            action, label = "current", "Your current plan"
        elif organization is None:
            action = "signup"
            label = "Create a free account" if is_free else f"Sign up for {plan.name}"
        elif is_free and not has_live_subscription:
            action, label = "none", ""
        elif not is_manager:
            action, label = "ask_manager", "Ask an owner or admin of your organization"
        elif has_live_subscription:
            action = "portal"
            label = "Cancel in billing" if is_free else f"{direction} to {plan.name}"
        elif not configured:
            action, label = "request", f"Request {plan.name}"
        elif plan.trial_days and not trial_used:
            action, label = "trial", f"Start {plan.trial_days}-day free trial"
        else:
            action, label = "upgrade", f"Upgrade to {plan.name}"
        offers.append(
            PricingOffer(
                plan=plan,
                features=entry.features,
                coming=entry.coming,
                price=_price(plan, offer_interval),
                interval=offer_interval,
                action=action,
                label=label,
                is_chosen=plan.code == chosen_plan_code,
            )
        )
    return offers


@dataclass(frozen=True)
class BillingOverview:
    subscription: Subscription | None
    plan: Plan | None
    invoices: list[InvoiceRow]
    invoices_unavailable: bool
    in_grace_period: bool
    payment_configured: bool


def billing_overview(*, organization: Organization) -> BillingOverview:
    """The billing page: plan, status, renewal or trial end, and invoices read from Stripe
    (the page still renders, with a note, when Stripe cannot be reached)."""
    subscription = subscription_for_organization(organization=organization)
    invoices: list[InvoiceRow] = []
    unavailable = False
    if stripe_gateway.is_configured() and subscription and subscription.stripe_customer_id:
        try:
            invoices = stripe_gateway.invoice_list(subscription.stripe_customer_id)
        except GatewayError:
            logger.warning("Invoices of %s could not be read from Stripe", organization)
            unavailable = True
    return BillingOverview(
        subscription=subscription,
        plan=plan_for_organization(organization),
        invoices=invoices,
        invoices_unavailable=unavailable,
        in_grace_period=past_due_grace_until(subscription=subscription) is not None,
        payment_configured=stripe_gateway.is_configured(),
    )


def past_due_grace_until(*, subscription: Subscription | None):
    """The end of the grace period while a past-due subscription still keeps its plan."""
    if (
        subscription is not None
        and subscription.status == StripeStatus.PAST_DUE
        and subscription.grace_until is not None
        and subscription.grace_until > timezone.now()
    ):
        return subscription.grace_until
    return None
