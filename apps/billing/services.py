"""Writes for plans and payments. Access changes in exactly two ways: an admin grants a plan
(`subscription_grant`), or Stripe says so through a verified webhook (`webhook_handle`) or the
nightly reconciliation, both of which derive the plan from the subscription's current state as
re-read from Stripe. The success redirect of Checkout changes nothing."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import MANAGER_ROLES, Membership, Organization, User
from apps.billing import stripe_gateway
from apps.billing.emails import billing_email_send
from apps.billing.models import (
    DEFAULT_PLAN_CODE,
    Plan,
    StripeEvent,
    StripeStatus,
    Subscription,
    UpgradeRequest,
)
from apps.billing.signals import plan_changed
from apps.billing.stripe_gateway import (
    GatewayError,
    NotFound,
    SubscriptionState,
    WebhookEvent,
)
from apps.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# Statuses that give the subscribed price's plan; past_due keeps it for the plan's grace period.
PAID_STATUSES = frozenset({StripeStatus.ACTIVE, StripeStatus.TRIALING})
# Statuses that drop the organization to the free plan.
ENDED_STATUSES = frozenset(
    {
        StripeStatus.CANCELED,
        StripeStatus.UNPAID,
        StripeStatus.INCOMPLETE_EXPIRED,
        StripeStatus.PAUSED,
    }
)
# Events whose subscription is re-read and applied; everything else is acknowledged unread.
SUBSCRIPTION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
PAYMENT_UNAVAILABLE = (
    "We could not reach our payment provider, so nothing was started or charged. "
    "Please try again in a few minutes."
)


def _default_plan() -> Plan:
    return Plan.objects.get(code=DEFAULT_PLAN_CODE)


def _plan_changed_on_commit(*, organization: Organization, previous: Plan, plan: Plan) -> None:
    if previous.pk != plan.pk:
        transaction.on_commit(
            lambda: plan_changed.send(
                sender=Subscription, organization=organization, previous_plan=previous, plan=plan
            )
        )


def subscription_grant(
    *, organization: Organization, plan: Plan, granted_by: User | None = None, note: str = ""
) -> Subscription:
    """Puts `organization` on `plan`, replacing whatever plan it had."""
    with transaction.atomic():
        subscription = _billing_row_locked(organization=organization, plan_if_new=plan)
        previous = subscription.plan
        subscription.plan = plan
        subscription.granted_by = granted_by
        subscription.note = note
        subscription.full_clean()
        subscription.save()
        UpgradeRequest.objects.filter(
            organization=organization, plan=plan, handled_at__isnull=True
        ).update(handled_at=timezone.now())
        _plan_changed_on_commit(organization=organization, previous=previous, plan=plan)
    return subscription


def _billing_row_locked(
    *, organization: Organization, plan_if_new: Plan | None = None
) -> Subscription:
    """The organization's one billing row, created on first use (on `plan_if_new`, else the
    default plan) and locked for this transaction, so concurrent clicks and webhooks of one
    organization run one at a time."""
    if not Subscription.objects.filter(organization=organization).exists():
        Subscription.objects.get_or_create(
            organization=organization, defaults={"plan": plan_if_new or _default_plan()}
        )
    return (
        Subscription.objects.select_for_update()
        .select_related("plan")
        .get(organization=organization)
    )


def _require_manager(*, organization: Organization, actor: User) -> None:
    role = (
        Membership.objects.filter(organization=organization, user=actor)
        .values_list("role", flat=True)
        .first()
    )
    if role not in MANAGER_ROLES:
        logger.info("Billing refused to %s in %s: not an owner or admin", actor, organization)
        raise ApplicationError("Only owners and admins can change this organization's plan.")


def _paid_plan(plan_code: str) -> Plan:
    plan = Plan.objects.filter(code=plan_code, is_public=True).first()
    if plan is None or plan.code == DEFAULT_PLAN_CODE:
        raise ApplicationError("Choose one of the paid plans on the pricing page.")
    return plan


def _customer_ensure(*, subscription: Subscription, organization: Organization, actor: User) -> str:
    """The organization's Stripe customer, created at most once: the caller holds the billing
    row's lock, and the idempotency key makes a retried create return the same customer."""
    if subscription.stripe_customer_id:
        return subscription.stripe_customer_id
    subscription.stripe_customer_id = stripe_gateway.customer_create(
        organization_id=organization.pk,
        name=organization.name,
        email=actor.email,
        idempotency_key=f"customer-create-organization-{organization.pk}",
    )
    subscription.save(update_fields=["stripe_customer_id", "updated_at"])
    return subscription.stripe_customer_id


def checkout_start(
    *,
    organization: Organization,
    actor: User,
    plan_code: str,
    interval: str,
    with_trial: bool,
    success_url: str,
    cancel_url: str,
) -> str:
    """Starts a Stripe Checkout for a paid plan and returns its address. No plan changes here:
    the webhook applies the subscription once Stripe reports it."""
    _require_manager(organization=organization, actor=actor)
    if not stripe_gateway.is_configured():
        raise ApplicationError("Online payment is not configured; request the plan instead.")
    plan = _paid_plan(plan_code)
    if interval not in stripe_gateway.INTERVALS:
        raise ApplicationError("Choose monthly or yearly billing.")
    price_id = stripe_gateway.price_id_for(plan.code, interval)
    if not price_id:
        raise ApplicationError(f"{plan.name} is not offered with {interval} billing.")
    try:
        with transaction.atomic():
            subscription = _billing_row_locked(organization=organization)
            if subscription.plan_id == plan.pk and subscription.status in PAID_STATUSES:
                raise ApplicationError(
                    f"{organization.name} is already on {plan.name}. "
                    "Use “Manage billing” to change how you pay."
                )
            if subscription.status in PAID_STATUSES | {StripeStatus.PAST_DUE}:
                raise ApplicationError(
                    "This organization already has a subscription: change its plan in "
                    "“Manage billing”."
                )
            trial_available = subscription.trial_used_at is None and plan.trial_days > 0
            if with_trial and not trial_available:
                logger.info("Second trial refused for %s", organization)
                raise ApplicationError(
                    f"{organization.name} has already had its free trial. "
                    "You can still upgrade without one."
                )
            customer_id = _customer_ensure(
                subscription=subscription, organization=organization, actor=actor
            )
        return stripe_gateway.checkout_session_create(
            customer_id=customer_id,
            price_id=price_id,
            organization_id=organization.pk,
            trial_days=plan.trial_days if trial_available else 0,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=f"checkout-{organization.pk}-{uuid.uuid4()}",
        )
    except GatewayError as error:
        logger.error("Checkout for %s failed: %s", organization, error)
        raise ApplicationError(PAYMENT_UNAVAILABLE) from error


def portal_start(*, organization: Organization, actor: User, return_url: str) -> str:
    """The Customer Portal, where owners and admins change plan, card, or cancel."""
    _require_manager(organization=organization, actor=actor)
    customer_id = (
        Subscription.objects.filter(organization=organization)
        .values_list("stripe_customer_id", flat=True)
        .first()
    )
    if not stripe_gateway.is_configured() or not customer_id:
        raise ApplicationError("This organization has no online subscription to manage yet.")
    try:
        return stripe_gateway.portal_session_create(
            customer_id=customer_id,
            return_url=return_url,
            idempotency_key=f"portal-{organization.pk}-{uuid.uuid4()}",
        )
    except GatewayError as error:
        logger.error("Customer Portal for %s failed: %s", organization, error)
        raise ApplicationError(PAYMENT_UNAVAILABLE) from error


def upgrade_request_create(
    *, organization: Organization, actor: User, plan_code: str, message: str = ""
) -> UpgradeRequest:
    """Without online payment a member asks for a plan; admins see it in the admin."""
    plan = _paid_plan(plan_code)
    if not Membership.objects.filter(organization=organization, user=actor).exists():
        raise ApplicationError("You are not a member of that organization.")
    existing = UpgradeRequest.objects.filter(
        organization=organization, plan=plan, handled_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    upgrade_request = UpgradeRequest(
        organization=organization, plan=plan, requested_by=actor, message=message[:500]
    )
    upgrade_request.full_clean()
    upgrade_request.save()
    logger.info("%s requested %s for %s", actor, plan, organization)
    return upgrade_request


def _plan_for_state(*, state: SubscriptionState, subscription: Subscription) -> Plan | None:
    """The plan a subscription in `state` gives, or None when the price is not one of ours."""
    grace_over = subscription.grace_until is not None and subscription.grace_until <= timezone.now()
    if state.status in ENDED_STATUSES or (state.status == StripeStatus.PAST_DUE and grace_over):
        return _default_plan()
    if state.status in PAID_STATUSES | {StripeStatus.PAST_DUE}:
        plan_code = stripe_gateway.plan_code_for_price(state.price_id)
        return Plan.objects.filter(code=plan_code).first() if plan_code else None
    # incomplete: the first payment has not happened yet, so nothing is granted or taken.
    return subscription.plan


def _grace_until(*, state: SubscriptionState, subscription: Subscription, plan: Plan):
    if state.status != StripeStatus.PAST_DUE:
        return None
    return subscription.grace_until or timezone.now() + timedelta(days=plan.grace_period_days)


def subscription_apply_state(*, state: SubscriptionState) -> str:
    """Brings the organization of `state.customer_id` in line with the subscription's current
    state. Returns what happened, in words for the event log. An older subscription of the
    customer never overrides a newer one, so arrival order cannot leave a wrong plan."""
    organization_id = (
        Subscription.objects.filter(stripe_customer_id=state.customer_id)
        .values_list("organization_id", flat=True)
        .first()
    )
    if organization_id is None:
        logger.warning("Stripe subscription %s of unknown customer %s", state.id, state.customer_id)
        return f"ignored: unknown customer {state.customer_id}"
    if state.organization_id and state.organization_id != str(organization_id):
        logger.error(
            "Stripe subscription %s names organization %s but its customer is organization %s",
            state.id,
            state.organization_id,
            organization_id,
        )
        return "ignored: organization metadata does not match the customer"
    subscription = _billing_row_locked(organization=Organization.objects.get(pk=organization_id))
    if (
        subscription.stripe_subscription_id
        and subscription.stripe_subscription_id != state.id
        and subscription.stripe_subscription_created
        and state.created < subscription.stripe_subscription_created
    ):
        logger.info("Stripe subscription %s is older than %s: ignored", state.id, subscription)
        return f"ignored: {state.id} is older than {subscription.stripe_subscription_id}"
    plan = _plan_for_state(state=state, subscription=subscription)
    if plan is None:
        logger.error("Stripe subscription %s has unknown price %s", state.id, state.price_id)
        return f"ignored: unknown price {state.price_id}"
    previous_plan, previous_status = subscription.plan, subscription.status
    subscription.plan = plan
    subscription.status = state.status
    subscription.stripe_subscription_id = state.id
    subscription.stripe_subscription_created = state.created
    subscription.current_period_end = state.current_period_end
    subscription.trial_end = state.trial_end
    subscription.cancel_at_period_end = state.cancel_at_period_end
    subscription.grace_until = _grace_until(state=state, subscription=subscription, plan=plan)
    subscription.granted_by = None
    subscription.note = f"Stripe subscription {state.id}"
    trial_starts = state.status == StripeStatus.TRIALING and subscription.trial_used_at is None
    if trial_starts:
        subscription.trial_used_at = timezone.now()
    subscription.full_clean()
    subscription.save()
    _plan_changed_on_commit(
        organization=subscription.organization, previous=previous_plan, plan=plan
    )
    _lifecycle_emails_on_commit(
        subscription=subscription,
        previous_plan=previous_plan,
        previous_status=previous_status,
        trial_starts=trial_starts,
    )
    if previous_plan.pk != plan.pk or previous_status != state.status:
        logger.info(
            "%s: %s (%s) -> %s (%s)",
            subscription.organization,
            previous_plan.code,
            previous_status or "none",
            plan.code,
            state.status,
        )
    return f"{plan.code} ({state.status})"


def _lifecycle_emails_on_commit(
    *, subscription: Subscription, previous_plan: Plan, previous_status: str, trial_starts: bool
) -> None:
    organization = subscription.organization
    kinds = []
    if trial_starts:
        kinds.append("trial_started")
    if subscription.status in ENDED_STATUSES and previous_status not in ENDED_STATUSES:
        kinds.append("canceled")
    elif previous_plan.pk != subscription.plan_id and not trial_starts:
        kinds.append("plan_changed")
    for kind in kinds:
        transaction.on_commit(
            lambda kind=kind: billing_email_send(
                organization=organization, kind=kind, subscription=subscription
            )
        )


def _subscription_id_of(event: WebhookEvent) -> str:
    obj = event.object
    if event.type.startswith("customer.subscription."):
        return obj.get("id", "")
    if event.type == "checkout.session.completed":
        return obj.get("subscription") or ""
    # Invoices name their subscription directly in older API versions, under parent in newer.
    details = ((obj.get("parent") or {}).get("subscription_details")) or {}
    return obj.get("subscription") or details.get("subscription") or ""


def _event_apply(event: WebhookEvent) -> str:
    if event.type not in SUBSCRIPTION_EVENTS:
        return "ignored: not a billing event"
    subscription_id = _subscription_id_of(event)
    if not subscription_id:
        return "ignored: no subscription"
    try:
        state = stripe_gateway.subscription_retrieve(subscription_id)
    except NotFound:
        logger.warning("Stripe event %s names unknown subscription %s", event.id, subscription_id)
        return f"ignored: unknown subscription {subscription_id}"
    outcome = subscription_apply_state(state=state)
    if outcome.startswith("ignored"):
        return outcome
    email_kind = {
        "invoice.payment_failed": "payment_failed",
        "customer.subscription.trial_will_end": "trial_ending",
    }.get(event.type)
    if email_kind:
        subscription = Subscription.objects.select_related("organization", "plan").get(
            stripe_subscription_id=subscription_id
        )
        transaction.on_commit(
            lambda: billing_email_send(
                organization=subscription.organization, kind=email_kind, subscription=subscription
            )
        )
    return outcome


def webhook_handle(*, payload: bytes, signature: str) -> str:
    """Verifies and applies one webhook delivery. The event id is recorded in the same
    transaction as the effect: a second delivery of the same event, even a concurrent one,
    finds it and changes nothing. Raises WebhookRejected (bad signature or body) and
    GatewayError (Stripe unreachable: nothing is recorded, so Stripe's retry applies it)."""
    event = stripe_gateway.event_construct(payload=payload, signature=signature)
    try:
        # An event names a Stripe customer, not an organization: finding which one it belongs
        # to reads across organizations, on purpose.
        with scopes_disabled(), transaction.atomic():
            record = StripeEvent.objects.create(event_id=event.id, type=event.type)
            record.outcome = _event_apply(event)[:255]
            record.save(update_fields=["outcome", "updated_at"])
    except IntegrityError:
        if not StripeEvent.objects.filter(event_id=event.id).exists():
            raise
        logger.info("Stripe event %s (%s) delivered again: ignored", event.id, event.type)
        return "duplicate"
    logger.info("Stripe event %s (%s): %s", event.id, event.type, record.outcome)
    return record.outcome


def _grace_expire(subscription: Subscription) -> bool:
    """Drops a past-due organization whose grace period is over to the free plan."""
    with transaction.atomic():
        locked = _billing_row_locked(organization=subscription.organization)
        grace_over = locked.grace_until and locked.grace_until <= timezone.now()
        if not grace_over or locked.plan.code == DEFAULT_PLAN_CODE:
            return False
        previous = locked.plan
        locked.plan = _default_plan()
        locked.save(update_fields=["plan", "updated_at"])
        _plan_changed_on_commit(
            organization=locked.organization, previous=previous, plan=locked.plan
        )
    logger.warning("Grace period of %s is over: dropped to the free plan", locked.organization)
    return True


def subscriptions_reconcile() -> list[str]:
    """Re-reads every organization's newest Stripe subscription and repairs any drift (a
    missed or failed webhook), logging each repair; then ends expired grace periods. It looks
    after every organization, so it runs with the organization scope disabled."""
    with scopes_disabled():
        return _subscriptions_reconcile()


def _subscriptions_reconcile() -> list[str]:
    repairs = []
    # Without keys there is no Stripe to read: only grace periods are checked.
    rows = (
        Subscription.objects.none()
        if not stripe_gateway.is_configured()
        else (
            Subscription.objects.exclude(stripe_customer_id=None)
            .exclude(stripe_customer_id="")
            .select_related("organization", "plan")
        )
    )
    for row in rows:
        try:
            states = stripe_gateway.subscription_list_for_customer(row.stripe_customer_id)
        except GatewayError:
            logger.error("Reconciliation could not read %s's subscriptions", row.organization)
            continue
        if not states:
            continue
        newest = states[0]
        before = (row.plan_id, row.status, row.stripe_subscription_id)
        with transaction.atomic():
            subscription_apply_state(state=newest)
        row.refresh_from_db()
        if before != (row.plan_id, row.status, row.stripe_subscription_id):
            repair = (
                f"{row.organization.slug}: repaired to {row.plan.code} ({row.status}) "
                f"from Stripe subscription {row.stripe_subscription_id}"
            )
            logger.warning("Billing drift repaired: %s", repair)
            repairs.append(repair)
    for row in (
        Subscription.objects.filter(status=StripeStatus.PAST_DUE, grace_until__lte=timezone.now())
        .exclude(plan__code=DEFAULT_PLAN_CODE)
        .select_related("organization")
    ):
        if _grace_expire(row):
            repairs.append(f"{row.organization.slug}: grace period over, dropped to free")
    return repairs


def checkout_return_urls(*, organization: Organization) -> tuple[str, str]:
    """Where Stripe sends the browser after Checkout (success, cancel): the billing page, which
    only shows what the webhook has recorded."""
    billing_url = settings.SITE_URL + reverse(
        "billing:billing_page", kwargs={"org_slug": organization.slug}
    )
    return f"{billing_url}?checkout=success", f"{billing_url}?checkout=canceled"
