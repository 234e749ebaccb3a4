"""Same-day alerts: a recorded change fans out to one delivery row per member and channel, in
bulk, and each email delivery is then sent once.

Exactly once: the row is written (under its unique constraint) before anything is sent, and a
send holds the row's lock from reading it pending to marking it sent, so a retried, redelivered
or concurrent task finds it sent (or waits, then finds it sent) and sends nothing. One crash
window remains, named where it is: the SMTP server has accepted the email but the process dies
before the row is marked sent; the row rolls back to pending and the email goes out again."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, Value
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.billing.entitlements import entitlements_for_organization
from apps.billing.models import AlertFrequency
from apps.core.viewer_cache import viewer_cache_invalidate
from apps.documents.models import ChangeEvent
from apps.monitoring.audience import (
    PlanRules,
    effective_frequency,
    insert_from_select,
    tracks,
)
from apps.monitoring.emails import change_alert_email
from apps.monitoring.models import (
    ChangeEventFanOut,
    Channel,
    Delivery,
    SendStatus,
    WatchedPlatform,
    WatchedProvision,
)
from apps.monitoring.sending import (
    BatchResult,
    first_attempt_at,
    outbound_retry_queue,
    outbound_send_batch,
    recipient_unreachable,
    sends_queue,
)
from apps.provisions.impact import provision_impacts_assess
from apps.provisions.models import ImpactStatus
from apps.provisions.selectors import change_event_get, change_event_impacts

logger = logging.getLogger(__name__)

_DELIVERY_COLUMNS = [
    "organization",
    "recipient",
    "change_event",
    "channel",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "next_attempt_at",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class FanOut:
    emails_created: int
    notifications_created: int
    email_ids: list[int]


def affected_provision_ids(change_event: ChangeEvent) -> list[int]:
    """The published provisions whose clause the change reworded or removed, assessed first
    if nobody has yet (the assessment is idempotent)."""
    return [
        impact.provision_id
        for impact in provision_impacts_assess(change_event=change_event)
        if impact.status != ImpactStatus.PRESENT
    ]


def change_event_fan_out(*, change_event: ChangeEvent) -> FanOut:
    """One email delivery for each member who hears of changes at once, and one in-app
    notification for each member who has not switched alerts off, across every organization
    whose plan gives same-day alerts and that tracks the platform, or (with provision-level
    alerts) tracks a clause the change affected. Free organizations hear of it in their weekly
    digest instead. Safe to run again: the unique constraint keeps one row per member and
    channel, and sending an already sent row does nothing. A first record is not a change."""
    if change_event.previous_version_id is None:
        return FanOut(0, 0, [])
    # One change reaches many organizations: the organization scope is off on purpose, and
    # every row written names the organization it was selected for. The rows and the mark
    # that the fan-out is done commit together.
    with scopes_disabled(), transaction.atomic():
        fan_out = _fan_out(change_event)
        _fan_outs_mark([change_event.pk], done_at=timezone.now(), next_attempt_at=None)
    return fan_out


def change_event_fan_outs_retry_queue(*, now: datetime | None = None) -> list[int]:
    """Queue again the fan-out of the recent change events whose fan-out never finished (its
    message was not published because the broker was down when the version committed, or it
    was lost with its worker): events at least a claim's length old, within the lookback,
    with no fan-out done and no claim running. Each is claimed before its task is queued, so
    the next pass leaves it alone while the task waits. Two passes at once may both queue an
    event; the fan-out is safe to run twice. Returns the events' ids."""
    from apps.monitoring.tasks import change_event_alerts

    now = now or timezone.now()
    claim = timedelta(seconds=settings.ALERTS_FAN_OUT_CLAIM_SECONDS)
    settled = ChangeEventFanOut.objects.filter(change_event=OuterRef("pk")).filter(
        Q(done_at__isnull=False) | Q(next_attempt_at__gt=now)
    )
    with transaction.atomic():
        ids = list(
            ChangeEvent.objects.filter(
                previous_version__isnull=False,
                created_at__gte=now - timedelta(hours=settings.ALERTS_FAN_OUT_LOOKBACK_HOURS),
                created_at__lte=now - claim,
            )
            .exclude(Exists(settled))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[: settings.ALERTS_RETRY_BATCH]
        )
        _fan_outs_mark(ids, done_at=None, next_attempt_at=now + claim)
    for change_event_id in ids:
        change_event_alerts.delay_on_commit(change_event_id)
    return ids


def _fan_outs_mark(change_event_ids: list[int], *, done_at, next_attempt_at) -> None:
    # One upsert: two fan-outs of the same event (a redelivered message) may mark it at once.
    ChangeEventFanOut.objects.bulk_create(
        [
            ChangeEventFanOut(
                change_event_id=change_event_id, done_at=done_at, next_attempt_at=next_attempt_at
            )
            for change_event_id in change_event_ids
        ],
        update_conflicts=True,
        unique_fields=["change_event"],
        update_fields=["done_at", "next_attempt_at"],
    )


def _fan_out(change_event: ChangeEvent) -> FanOut:
    affected = affected_provision_ids(change_event)
    rules = PlanRules.load()
    platform_id = change_event.document.platform_id
    audience = rules.members().filter(
        (
            tracks(WatchedPlatform, platform_id=platform_id)
            & Q(member_plan_id__in=rules.plans_where(lambda e: e.has("same_day_alerts")))
        )
        | (
            tracks(WatchedProvision, provision_id__in=affected)
            & Q(member_plan_id__in=rules.plans_where(lambda e: e.provision_alerts))
        )
    )
    now = timezone.now()
    emails = _insert_deliveries(
        audience.filter(rules.frequency_q({AlertFrequency.IMMEDIATE})),
        change_event=change_event,
        channel=Channel.EMAIL,
        status=SendStatus.PENDING,
        sent_at=None,
        now=now,
    )
    notifications = _insert_deliveries(
        audience.filter(
            rules.frequency_q(
                {AlertFrequency.IMMEDIATE, AlertFrequency.DAILY, AlertFrequency.WEEKLY}
            )
        ),
        change_event=change_event,
        channel=Channel.IN_APP,
        status=SendStatus.SENT,
        sent_at=now,
        now=now,
    )
    if notifications:
        # The header's unread count of each member notified.
        viewer_cache_invalidate(
            user_ids=Delivery.objects.filter(change_event=change_event, channel=Channel.IN_APP)
            .values_list("recipient_id", flat=True)
            .iterator()
        )
    email_ids = list(
        Delivery.objects.filter(
            change_event=change_event, channel=Channel.EMAIL, status=SendStatus.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    logger.info(
        "Change event %s: %s email deliveries and %s notifications created, %s emails to send",
        change_event.pk,
        emails,
        notifications,
        len(email_ids),
    )
    return FanOut(emails_created=emails, notifications_created=notifications, email_ids=email_ids)


def _insert_deliveries(audience, *, change_event, channel, status, sent_at, now) -> int:
    rows = audience.annotate(
        d_event=Value(change_event.pk),
        d_channel=Value(channel),
        d_status=Value(status),
        d_attempts=Value(0),
        d_error=Value(""),
        d_sent_at=Value(sent_at, output_field=DateTimeField()),
        d_next=Value(
            first_attempt_at(now) if status == SendStatus.PENDING else None,
            output_field=DateTimeField(),
        ),
        d_created=Value(now, output_field=DateTimeField()),
        d_updated=Value(now, output_field=DateTimeField()),
    ).values(
        "organization_id",
        "user_id",
        "d_event",
        "d_channel",
        "d_status",
        "d_attempts",
        "d_error",
        "d_sent_at",
        "d_next",
        "d_created",
        "d_updated",
    )
    return insert_from_select(model=Delivery, rows=rows, columns=_DELIVERY_COLUMNS)


def change_event_alerts_queue(*, change_event: ChangeEvent) -> FanOut:
    """Fan the change out, then queue the email sends in batches (after commit)."""
    from apps.monitoring.tasks import deliveries_send

    fan_out = change_event_fan_out(change_event=change_event)
    sends_queue(task=deliveries_send, ids=fan_out.email_ids)
    return fan_out


def deliveries_retry_queue(*, now: datetime | None = None) -> list[int]:
    """Queue the sends of the email deliveries that are due again, in batches."""
    from apps.monitoring.tasks import deliveries_send

    return outbound_retry_queue(model=Delivery, task=deliveries_send, now=now or timezone.now())


def deliveries_send_batch(*, delivery_ids: list[int]) -> BatchResult:
    return outbound_send_batch(model=Delivery, ids=delivery_ids, compose=_compose_alert)


def _compose_alert(delivery: Delivery):
    """The alert email, unless the member, the plan, the preference or the watchlist changed
    since the fan-out in a way that means this member must not get it."""
    recipient, organization = delivery.recipient, delivery.organization
    unreachable = recipient_unreachable(organization_id=organization.pk, recipient=recipient)
    if unreachable:
        return unreachable
    entitlements = entitlements_for_organization(organization)
    frequency = effective_frequency(
        organization=organization, user=recipient, entitlements=entitlements
    )
    if frequency != AlertFrequency.IMMEDIATE:
        return (
            f"{recipient} now hears of changes for {organization} at frequency “{frequency}” "
            f"({entitlements.plan_name} plan)"
        )
    event = change_event_get(change_event_id=delivery.change_event_id)
    impacts = change_event_impacts(change_event=event)
    tracks_platform = (
        entitlements.has("same_day_alerts")
        and WatchedPlatform.objects.filter(
            organization=organization,
            platform_id=event.document.platform_id,
            paused_at__isnull=True,
        ).exists()
    )
    tracked_clauses = (
        set(
            WatchedProvision.objects.filter(
                organization=organization,
                provision_id__in=[impact.provision_id for impact in impacts],
                paused_at__isnull=True,
            ).values_list("provision_id", flat=True)
        )
        if entitlements.provision_alerts
        else set()
    )
    if not tracks_platform and not tracked_clauses:
        return f"{organization} no longer tracks what this change affected"
    return change_alert_email(
        change_event=event,
        impacts=impacts,
        tracked_clauses=tracked_clauses,
        organization=organization,
        recipient=recipient,
    )
