"""The only module that talks to Stripe (and the only one importing `stripe`). It hands the rest
of billing plain values, so services never see a Stripe object and tests replace Stripe with a
local fake server by pointing STRIPE_API_BASE at it."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)

INTERVALS = ("monthly", "yearly")


class GatewayError(Exception):
    """Stripe could not be reached or refused the call; nothing was changed on our side."""


class NotFound(GatewayError):
    """Stripe answered that the object does not exist (in this account)."""


class WebhookRejected(Exception):
    """A webhook delivery whose signature, timestamp or body is not acceptable."""


@dataclass(frozen=True)
class SubscriptionState:
    """A Stripe subscription as it is now."""

    id: str
    customer_id: str
    status: str
    price_id: str
    created: datetime
    current_period_end: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool
    organization_id: str


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    status: str
    amount_due: int
    currency: str
    created: datetime
    hosted_invoice_url: str

    @property
    def amount(self) -> Decimal:
        """amount_due is in the currency's smallest unit (cents)."""
        return Decimal(self.amount_due) / 100


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object: dict


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def price_id_for(plan_code: str, interval: str) -> str:
    """The configured Stripe price of a plan for "monthly" or "yearly"; "" when none is."""
    return settings.STRIPE_PRICE_IDS.get(plan_code, {}).get(interval, "")


def plan_code_for_price(price_id: str) -> str | None:
    for plan_code, prices in settings.STRIPE_PRICE_IDS.items():
        if price_id and price_id in prices.values():
            return plan_code
    return None


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def _call(what: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.InvalidRequestError as error:
        logger.warning("Stripe call %s refused: %s", what, error)
        if error.http_status == 404:
            raise NotFound(str(error)) from error
        raise GatewayError(str(error)) from error
    except stripe.StripeError as error:
        logger.warning("Stripe call %s failed: %s", what, error)
        raise GatewayError(str(error)) from error


def _timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def customer_create(*, organization_id: int, name: str, email: str, idempotency_key: str) -> str:
    customer = _call(
        "customers.create",
        _client().v1.customers.create,
        params={
            "name": name,
            "email": email,
            "metadata": {"organization_id": str(organization_id)},
        },
        options={"idempotency_key": idempotency_key},
    )
    return customer.id


def checkout_session_create(
    *,
    customer_id: str,
    price_id: str,
    organization_id: int,
    trial_days: int,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> str:
    """A Checkout session for a subscription to `price_id`; returns the page to send the
    browser to. The organization's id rides in both the session's and the subscription's
    metadata, so every later event can be traced back to it."""
    metadata = {"organization_id": str(organization_id)}
    subscription_data: dict = {"metadata": metadata}
    if trial_days:
        subscription_data["trial_period_days"] = trial_days
    session = _call(
        "checkout.sessions.create",
        _client().v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(organization_id),
            "line_items": [{"price": price_id, "quantity": 1}],
            "metadata": metadata,
            "subscription_data": subscription_data,
            # Paid plans need a card at checkout even with a trial; only the free plan never does.
            "payment_method_collection": "always",
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
        options={"idempotency_key": idempotency_key},
    )
    return session.url


def portal_session_create(*, customer_id: str, return_url: str, idempotency_key: str) -> str:
    session = _call(
        "billing_portal.sessions.create",
        _client().v1.billing_portal.sessions.create,
        params={"customer": customer_id, "return_url": return_url},
        options={"idempotency_key": idempotency_key},
    )
    return session.url


def _subscription_state(data: dict) -> SubscriptionState:
    items = (data.get("items") or {}).get("data") or [{}]
    first_item = items[0]
    # Newer API versions moved the billing period from the subscription onto its items.
    period_end = data.get("current_period_end") or first_item.get("current_period_end")
    return SubscriptionState(
        id=data["id"],
        customer_id=data.get("customer") or "",
        status=data.get("status") or "",
        price_id=(first_item.get("price") or {}).get("id", ""),
        created=_timestamp(data.get("created")) or datetime.fromtimestamp(0, tz=UTC),
        current_period_end=_timestamp(period_end),
        trial_end=_timestamp(data.get("trial_end")),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        organization_id=(data.get("metadata") or {}).get("organization_id", ""),
    )


def subscription_retrieve(subscription_id: str) -> SubscriptionState:
    subscription = _call(
        "subscriptions.retrieve", _client().v1.subscriptions.retrieve, subscription_id
    )
    return _subscription_state(subscription.to_dict())


def subscription_list_for_customer(customer_id: str) -> list[SubscriptionState]:
    """Every subscription of the customer, whatever its status, newest first."""
    page = _call(
        "subscriptions.list",
        _client().v1.subscriptions.list,
        params={"customer": customer_id, "status": "all", "limit": 100},
    )
    states = [_subscription_state(item.to_dict()) for item in page.data]
    return sorted(states, key=lambda state: state.created, reverse=True)


def invoice_list(customer_id: str, *, limit: int = 12) -> list[InvoiceRow]:
    page = _call(
        "invoices.list",
        _client().v1.invoices.list,
        params={"customer": customer_id, "limit": limit},
    )
    return [
        InvoiceRow(
            number=invoice.get("number") or invoice["id"],
            status=invoice.get("status") or "",
            amount_due=invoice.get("amount_due") or 0,
            currency=(invoice.get("currency") or "usd").upper(),
            created=_timestamp(invoice.get("created")),
            hosted_invoice_url=invoice.get("hosted_invoice_url") or "",
        )
        for invoice in (item.to_dict() for item in page.data)
    ]


def event_construct(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verifies the signature over the raw body (and that its timestamp is recent) with
    Stripe's own scheme, then parses the event."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookRejected("no webhook secret is configured")
    if not signature:
        raise WebhookRejected("the Stripe-Signature header is missing")
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"bad signature: {error}") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRejected(f"malformed payload: {error}") from error
    data = event.to_dict()
    try:
        return WebhookEvent(id=data["id"], type=data["type"], object=data["data"]["object"])
    except (KeyError, TypeError) as error:
        raise WebhookRejected(f"malformed event: missing {error}") from error
