"""Daily and weekly digests: one email per member per period listing the changes on everything
the organization tracks, sent at the organization's own local hour (AlertSchedule, in its time
zone; Monday 08:00 UTC without one). Nothing is written, so nothing sent, for a member whose
organization saw no change in the period.

One dispatcher (a beat task every few minutes) finds each schedule whose period has just ended,
builds all of that schedule's digests in one INSERT ... SELECT, marks the period built
(DigestRun) and queues the sends in batches; the sends share the exactly-once rules of
apps.monitoring.sending."""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.billing.entitlements import Entitlements, entitlements_for_organization
from apps.billing.models import AlertFrequency
from apps.documents.models import ChangeEvent
from apps.monitoring.audience import PlanRules, effective_frequency, insert_from_select
from apps.monitoring.emails import change_links, digest_email
from apps.monitoring.models import (
    AlertSchedule,
    Digest,
    DigestRun,
    SendStatus,
)
from apps.monitoring.sending import (
    BatchResult,
    first_attempt_at,
    outbound_retry_queue,
    outbound_send_batch,
    recipient_unreachable,
    sends_queue,
)
from apps.provisions.models import ImpactStatus

logger = logging.getLogger(__name__)

DIGEST_FREQUENCIES = (AlertFrequency.DAILY, AlertFrequency.WEEKLY)
_AFFECTED = [ImpactStatus.REWORDED, ImpactStatus.GONE]
_DIGEST_COLUMNS = [
    "organization",
    "recipient",
    "frequency",
    "period_start",
    "period_end",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "next_attempt_at",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class Schedule:
    timezone: str
    weekday: int
    hour: int
    is_default: bool = False

    @property
    def key(self) -> str:
        return f"{self.timezone}|{self.weekday}|{self.hour}"

    def period(self, frequency: str, now: datetime) -> tuple[datetime, datetime]:
        """The latest complete period at `now`: it ended at the schedule's local hour (of
        the schedule's weekday, for weekly digests). Dates are counted in local days, so a
        daylight-saving change moves neither end."""
        zone = zoneinfo.ZoneInfo(self.timezone)
        today = now.astimezone(zone).date()
        days = 7 if frequency == AlertFrequency.WEEKLY else 1
        if frequency == AlertFrequency.WEEKLY:
            end_date = today - timedelta(days=(today.weekday() - self.weekday) % 7)
        else:
            end_date = today
        end = datetime.combine(end_date, time(self.hour), tzinfo=zone)
        if end > now:
            end_date -= timedelta(days=days)
            end = datetime.combine(end_date, time(self.hour), tzinfo=zone)
        start = datetime.combine(end_date - timedelta(days=days), time(self.hour), tzinfo=zone)
        return start, end

    def organizations_q(self) -> Q:
        """The memberships whose organization follows this schedule."""
        if self.is_default:
            return ~Exists(
                AlertSchedule.objects.filter(organization_id=OuterRef("organization_id"))
            )
        return Exists(
            AlertSchedule.objects.filter(
                organization_id=OuterRef("organization_id"),
                timezone=self.timezone,
                digest_weekday=self.weekday,
                digest_hour=self.hour,
            )
        )


DEFAULT_SCHEDULE = Schedule(timezone="UTC", weekday=0, hour=8, is_default=True)


def schedules() -> list[Schedule]:
    chosen = AlertSchedule.objects.values_list("timezone", "digest_weekday", "digest_hour")
    return [DEFAULT_SCHEDULE, *(Schedule(*values) for values in chosen.distinct())]


def changes_in(start: datetime, end: datetime) -> QuerySet[ChangeEvent]:
    return ChangeEvent.objects.filter(
        previous_version__isnull=False, created_at__gte=start, created_at__lt=end
    )


def digests_dispatch(*, now: datetime | None = None) -> list[int]:
    """Build the digests of every schedule whose period has ended and is not built yet, and
    queue their sends. Returns the ids of the digests built now."""
    from apps.monitoring.tasks import digests_send

    now = now or timezone.now()
    rules = PlanRules.load()
    built_ids: list[int] = []
    # Every organization's digests at once: the organization scope is off on purpose.
    with scopes_disabled():
        for schedule in schedules():
            for frequency in DIGEST_FREQUENCIES:
                built_ids += digests_build(
                    schedule=schedule, frequency=frequency, now=now, rules=rules
                )
    # Two schedules may end a period at the same instant; each digest is queued once.
    built_ids = list(dict.fromkeys(built_ids))
    sends_queue(task=digests_send, ids=built_ids)
    return built_ids


def digests_build(*, schedule: Schedule, frequency: str, now: datetime, rules: PlanRules):
    """One schedule's digests of its latest complete period, once: a digest for each member
    whose effective frequency is `frequency` and whose organization tracks something that
    changed in the period (a platform, or with provision-level monitoring an affected clause)."""
    start, end = schedule.period(frequency, now)
    changed = changes_in(start, end)
    with transaction.atomic():
        _run, created = DigestRun.objects.get_or_create(
            frequency=frequency, schedule_key=schedule.key, period_end=end
        )
        if not created:
            return []
        audience = (
            rules.members()
            .filter(schedule.organizations_q())
            .filter(rules.frequency_q({frequency}))
            .filter(
                Exists(
                    changed.filter(
                        document__platform__watchers__organization_id=OuterRef("organization_id"),
                        document__platform__watchers__paused_at__isnull=True,
                    )
                )
                | (
                    Exists(
                        changed.filter(
                            provision_impacts__status__in=_AFFECTED,
                            provision_impacts__provision__watchers__organization_id=OuterRef(
                                "organization_id"
                            ),
                            provision_impacts__provision__watchers__paused_at__isnull=True,
                        )
                    )
                    & Q(member_plan_id__in=rules.plans_where(lambda e: e.provision_monitoring))
                )
            )
        )
        rows = audience.annotate(
            d_frequency=Value(frequency),
            d_start=Value(start, output_field=DateTimeField()),
            d_end=Value(end, output_field=DateTimeField()),
            d_status=Value(SendStatus.PENDING),
            d_attempts=Value(0),
            d_error=Value(""),
            d_sent_at=Value(None, output_field=DateTimeField()),
            d_next=Value(first_attempt_at(now), output_field=DateTimeField()),
            d_created=Value(now, output_field=DateTimeField()),
            d_updated=Value(now, output_field=DateTimeField()),
        ).values(
            "organization_id",
            "user_id",
            "d_frequency",
            "d_start",
            "d_end",
            "d_status",
            "d_attempts",
            "d_error",
            "d_sent_at",
            "d_next",
            "d_created",
            "d_updated",
        )
        created_count = insert_from_select(model=Digest, rows=rows, columns=_DIGEST_COLUMNS)
        built = list(
            Digest.objects.filter(
                frequency=frequency, period_end=end, status=SendStatus.PENDING, created_at=now
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    logger.info(
        "%s digests of schedule %s until %s: %s built", frequency, schedule.key, end, created_count
    )
    return built


def tracked_changes(
    *, organization, entitlements: Entitlements, start: datetime, end: datetime
) -> QuerySet[ChangeEvent]:
    """The organization's tracked changes of the period, oldest first, with what a digest
    entry shows."""
    tracked = Q(
        document__platform__watchers__organization=organization,
        document__platform__watchers__paused_at__isnull=True,
    )
    if entitlements.provision_monitoring:
        tracked |= Q(
            pk__in=ChangeEvent.objects.filter(
                provision_impacts__status__in=_AFFECTED,
                provision_impacts__provision__watchers__organization=organization,
                provision_impacts__provision__watchers__paused_at__isnull=True,
            ).values("pk")
        )
    return (
        changes_in(start, end)
        .filter(tracked)
        .distinct()
        .select_related("document__platform", "version", "previous_version")
        .defer(
            "version__text",
            "version__change_summary",
            "previous_version__text",
            "previous_version__change_summary",
        )
        .order_by("created_at", "pk")
    )


def digests_retry_queue(*, now: datetime | None = None) -> list[int]:
    """Queue the sends of the digests that are due again, in batches."""
    from apps.monitoring.tasks import digests_send

    return outbound_retry_queue(model=Digest, task=digests_send, now=now or timezone.now())


def digests_send_batch(*, digest_ids: list[int]) -> BatchResult:
    return outbound_send_batch(model=Digest, ids=digest_ids, compose=_compose_digest)


def _compose_digest(digest: Digest):
    recipient, organization = digest.recipient, digest.organization
    unreachable = recipient_unreachable(organization_id=organization.pk, recipient=recipient)
    if unreachable:
        return unreachable
    entitlements = entitlements_for_organization(organization)
    frequency = effective_frequency(
        organization=organization, user=recipient, entitlements=entitlements
    )
    if frequency != digest.frequency:
        return f"{recipient} no longer gets {digest.frequency} digests for {organization}"
    events = list(
        tracked_changes(
            organization=organization,
            entitlements=entitlements,
            start=digest.period_start,
            end=digest.period_end,
        )
    )
    if not events:
        return f"nothing {organization} tracks changed in the period"
    return digest_email(
        digest=digest,
        changes=[change_links(event) for event in events],
        organization=organization,
        recipient=recipient,
    )
