import calendar
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django_scopes import ScopedManager

from apps.billing.models import AlertFrequency
from apps.core.models import OrgOwnedModel


class WatchQuerySet(models.QuerySet):
    def monitored(self):
        """Items whose changes reach the organization: paused ones (over a smaller plan's
        limit) are kept but not monitored."""
        return self.filter(paused_at__isnull=True)

    def paused(self):
        return self.filter(paused_at__isnull=False)


# Fails closed outside an organization's scope, like every manager of private data.
WatchManager = models.Manager.from_queryset(WatchQuerySet)


class WatchedPlatform(OrgOwnedModel):
    """A platform an organization tracks: its document changes reach the organization."""

    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.CASCADE, related_name="watchers"
    )
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization", _manager_class=WatchManager)

    class Meta:
        ordering = ["platform__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform"], name="watched_platform_unique"
            ),
        ]
        indexes = [
            # Who tracks a platform (a change's audience): the organizations of its unpaused
            # rows, read from the index alone, tens of thousands for a popular platform.
            models.Index(
                fields=["platform", "organization"],
                condition=models.Q(paused_at__isnull=True),
                name="watched_platform_audience",
            ),
        ]

    def __str__(self):
        return f"{self.organization} watches {self.platform}"


class WatchedProvision(OrgOwnedModel):
    """One clause an organization tracks on its own (provision-level monitoring)."""

    provision = models.ForeignKey(
        "provisions.Provision", on_delete=models.CASCADE, related_name="watchers"
    )
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization", _manager_class=WatchManager)

    class Meta:
        ordering = ["provision__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provision"], name="watched_provision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organization} watches {self.provision}"


class AlertPreference(OrgOwnedModel):
    """How often one member hears of the organization's tracked changes. Without a row the
    member gets the plan's default; a choice the plan does not (or no longer) allow falls back
    to that default when alerts go out (apps.billing.entitlements decides both)."""

    # Keyed by the membership, so the choice leaves with the member, and the fan-out reads it
    # with a join rather than a lookup per member.
    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="alert_preference"
    )
    frequency = models.CharField(max_length=16, choices=AlertFrequency.choices)

    objects = ScopedManager(organization="organization")

    def __str__(self):
        return f"{self.membership}: {self.get_frequency_display()}"


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/Paris.")


class AlertSchedule(OrgOwnedModel):
    """When the organization's digests go out, in its own time zone. Without a row: Monday
    08:00 UTC (DEFAULT_SCHEDULE)."""

    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    digest_weekday = models.PositiveSmallIntegerField(
        default=0, choices=[(number, name) for number, name in enumerate(calendar.day_name)]
    )
    digest_hour = models.PositiveSmallIntegerField(
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="Local hour at which daily and weekly emails go out.",
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="alert_schedule_one_per_org"),
        ]

    def __str__(self):
        return f"{self.organization}: {calendar.day_name[self.digest_weekday]} {self.digest_hour}h"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In-app notification"


class SendStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class OutboundMessage(OrgOwnedModel):
    """An email that is owed to one member: the row exists before the email is sent, so a
    retried or redelivered task finds it sent and sends nothing twice."""

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=SendStatus.choices, default=SendStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # While pending: when the retry pass may queue the send (again). Set when the row is
    # written (the send queued then has that long to happen), when the pass queues it, and
    # after a transient failure (the backoff); a dead worker or a lost message delays a send
    # by no more than that, since no retry waits in the broker.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Delivery(OutboundMessage):
    """One change event for one member on one channel. The in-app channel's row is the
    notification itself (sent on creation, `read_at` once read)."""

    # Indexed by the unique constraint, which leads with it.
    change_event = models.ForeignKey(
        "documents.ChangeEvent",
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    read_at = models.DateTimeField(null=True, blank=True)
    # A fan-out inserts a row per member: indexes nothing reads would slow every one of them.
    # The recipient leads the unread index; deliveries are never listed by creation time
    # across organizations.
    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_event", "recipient", "channel"],
                name="delivery_one_per_event_recipient_channel",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "organization", "channel", "read_at"],
                name="delivery_unread",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.change_event} to {self.recipient} ({self.channel}): {self.status}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class NotificationManager(models.Manager.from_queryset(NotificationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(channel=Channel.IN_APP)


class Notification(Delivery):
    """The in-app deliveries: what the dashboard lists, with unread counts."""

    objects = ScopedManager(organization="organization", _manager_class=NotificationManager)

    class Meta:
        proxy = True
        ordering = ["-created_at", "-id"]


class Digest(OutboundMessage):
    """One daily or weekly email to one member, listing the organization's tracked changes of
    the period [period_start, period_end). Only written when something changed."""

    frequency = models.CharField(max_length=16, choices=AlertFrequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recipient", "frequency", "period_end"],
                name="digest_one_per_member_period",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="digest_status"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="digest_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.frequency} digest to {self.recipient} until {self.period_end:%Y-%m-%d}"


class DigestRun(models.Model):
    """Marks the digests of one schedule (time zone, weekday, hour) and period as built, so
    the dispatcher, which runs every few minutes, builds each period once."""

    frequency = models.CharField(max_length=16, choices=AlertFrequency.choices)
    schedule_key = models.CharField(max_length=100)
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "schedule_key", "period_end"], name="digest_run_unique"
            ),
        ]

    def __str__(self):
        return f"{self.frequency} digests of {self.schedule_key} until {self.period_end}"


class ChangeEventFanOut(models.Model):
    """Whether a change event's alerts were fanned out. The fan-out task is queued once the
    ingest commits; should that message never run (the broker was down at the commit, or it
    was lost with its worker), the retry pass finds the recent event with no finished fan-out
    and queues it again. The pass writes the row as a claim (`next_attempt_at`) so that it
    does not queue the event again while that task waits; the fan-out marks it done in its
    own transaction."""

    change_event = models.OneToOneField(
        "documents.ChangeEvent",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="alert_fan_out",
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        state = f"done {self.done_at:%Y-%m-%d %H:%M}" if self.done_at else "pending"
        return f"Alert fan-out of change event {self.change_event_id}: {state}"
