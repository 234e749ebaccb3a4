from django.db import models
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel, OrgOwnedModel

# The plan an organization is on when nobody has granted it another one.
DEFAULT_PLAN_CODE = "free"


class AlertFrequency(models.TextChoices):
    """How often a member hears of changes, fastest first. Which of them a plan allows is the
    entitlements module's answer (`Entitlements.alert_frequencies`); the member's choice is
    stored by apps.monitoring."""

    IMMEDIATE = "immediate", "As soon as it changes"
    DAILY = "daily", "One email a day"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off"


class Plan(BaseModel):
    """What a tier costs and allows. Rows, not constants: an admin changes a limit or a price
    here and every check in apps/billing/entitlements.py follows."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)
    yearly_price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Shown on the pricing page when a yearly Stripe price is configured.",
    )
    trial_days = models.PositiveSmallIntegerField(default=0)
    grace_period_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days a past-due subscription keeps this plan before dropping to free."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order on the pricing page, cheapest first."
    )
    is_public = models.BooleanField(default=True, help_text="Listed on the pricing page.")
    max_tracked_platforms = models.PositiveIntegerField()
    max_tracked_provisions = models.PositiveIntegerField(default=0)
    weekly_digest = models.BooleanField(default=False)
    same_day_alerts = models.BooleanField(default=False)
    regulatory_citations = models.BooleanField(
        default=False, help_text="Sees the regulatory framework and jurisdiction flags of memos."
    )
    full_memo = models.BooleanField(
        default=False, help_text="Sees every part of the compliance memo."
    )
    memo_pdf = models.BooleanField(
        default=False,
        help_text="Downloads compliance memos as PDF files, with the memo parts the plan sees.",
    )
    provision_monitoring = models.BooleanField(default=False)
    governance_timelines = models.BooleanField(default=False)
    regulatory_mapping = models.BooleanField(default=False)
    api_access = models.BooleanField(default=False)
    api_requests_per_minute = models.PositiveIntegerField(
        default=0, help_text="API requests an organization's keys may make per minute."
    )
    api_requests_per_day = models.PositiveIntegerField(
        default=0, help_text="API requests an organization's keys may make per day."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "monthly_price"]

    def __str__(self):
        return self.name


class StripeStatus(models.TextChoices):
    """Stripe's subscription statuses, plus "none" for a plan an admin granted."""

    NONE = "", "No Stripe subscription"
    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"
    UNPAID = "unpaid", "Unpaid"
    PAUSED = "paused", "Paused"


class Subscription(OrgOwnedModel):
    """The plan an organization is on, and its billing row: one per organization, locked with
    select_for_update whenever its Stripe customer or subscription changes. The plan is granted
    by an admin or derived from the Stripe subscription's state by the webhook."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # When Stripe created the subscription above: an event about an older subscription of the
    # same customer never overrides a newer one, whatever order the events arrive in.
    stripe_subscription_created = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=32, choices=StripeStatus.choices, default=StripeStatus.NONE, blank=True
    )
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # Set while past due: the plan is kept until then, and dropped to free after.
    grace_until = models.DateTimeField(null=True, blank=True)
    trial_used_at = models.DateTimeField(
        null=True, blank=True, help_text="A free trial is offered once per organization."
    )

    # The plan an organization is on is its own business; the admin disables the scope.
    objects = ScopedManager(organization="organization")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="subscription_one_per_org"),
        ]

    def __str__(self):
        return f"{self.organization} on {self.plan}"


class StripeEvent(BaseModel):
    """A webhook event already applied. The unique event id, written in the same transaction as
    the event's effect, makes a second delivery of the same event a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class UpgradeRequest(OrgOwnedModel):
    """A member asked for a paid plan while online payment is not configured; an admin grants
    it under Subscriptions and marks the request handled."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=500, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organization} asks for {self.plan}"
