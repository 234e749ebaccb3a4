from django.db import models
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel, OrgOwnedModel

# The plan an organization is on when nobody has granted it another one.
DEFAULT_PLAN_CODE = "free"


class Plan(BaseModel):
    """What a tier costs and allows. Rows, not constants: an admin changes a limit or a price
    here and every check in apps/billing/entitlements.py follows."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)
    trial_days = models.PositiveSmallIntegerField(default=0)
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


class Subscription(OrgOwnedModel):
    """The plan an organization is on. Granted by an admin for now; payments come later."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)

    # The plan an organization is on is its own business; the admin disables the scope.
    objects = ScopedManager(organization="organization")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="subscription_one_per_org"),
        ]

    def __str__(self):
        return f"{self.organization} on {self.plan}"
