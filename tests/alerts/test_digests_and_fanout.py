"""Weekly and daily digests in each organization's time zone, and a fan-out whose query count
does not grow with the number of organizations."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.billing.models import AlertFrequency
from apps.monitoring.alerts import change_event_fan_out
from apps.monitoring.digests import DEFAULT_SCHEDULE, Schedule, digests_dispatch
from apps.monitoring.models import (
    AlertSchedule,
    Channel,
    Delivery,
    Digest,
    SendStatus,
)
from tests.alerts.helpers import first_record, organization_tracking, prefer, record_change
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

# A Monday, 09:00 UTC: the default schedule's week (Monday 08:00 UTC) has just ended.
MONDAY_NINE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _change_during_last_week(document):
    event = record_change(first_record(document))
    event.created_at = MONDAY_NINE - timedelta(days=3)
    event.save(update_fields=["created_at"])
    return event


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return digests_dispatch(now=now)

    return run


def test_weekly_digest_lists_the_weeks_changes_once_and_only_where_something_changed(
    smtp_server, dispatch
):
    document = DocumentFactory(title="Privacy Policy")
    event = _change_during_last_week(document)
    free_user, free_org = organization_tracking("free", platform=document.platform)
    quiet_user, _ = organization_tracking("free", platform=DocumentFactory().platform)
    watcher_user, _ = organization_tracking("watcher", platform=document.platform)

    built = dispatch(MONDAY_NINE)
    dispatch(MONDAY_NINE + timedelta(minutes=5))  # the next beat run builds nothing again

    assert len(built) == 1
    (message,) = smtp_server.messages
    assert message["To"] == free_user.email
    assert message["Subject"] == f"1 tracked change this week for {free_org.name}"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    assert f"http://127.0.0.1:8000/changes/{event.pk}/" in html
    assert "Privacy Policy" in message.get_body(("plain",)).get_content()
    assert not smtp_server.to(quiet_user.email)
    assert not smtp_server.to(watcher_user.email), "Watcher members hear the same day instead"
    digest = Digest.objects.get()
    assert digest.status == SendStatus.SENT
    assert digest.period_end == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_a_paid_member_who_chose_weekly_gets_the_digest(smtp_server, dispatch):
    document = DocumentFactory()
    _change_during_last_week(document)
    user, organization = organization_tracking("watcher", platform=document.platform)
    prefer(organization, user, AlertFrequency.WEEKLY)

    dispatch(MONDAY_NINE)

    assert [message["To"] for message in smtp_server.messages] == [user.email]


def test_a_member_who_chose_daily_gets_one_email_for_the_days_changes(smtp_server, dispatch):
    document = DocumentFactory()
    event = record_change(first_record(document))
    event.created_at = MONDAY_NINE - timedelta(hours=5)
    event.save(update_fields=["created_at"])
    daily_user, organization = organization_tracking("watcher", platform=document.platform)
    prefer(organization, daily_user, AlertFrequency.DAILY)

    dispatch(MONDAY_NINE)
    dispatch(MONDAY_NINE + timedelta(hours=1))

    (message,) = smtp_server.messages
    assert message["To"] == daily_user.email
    assert message["Subject"] == f"1 tracked change today for {organization.name}"
    assert Digest.objects.get().frequency == AlertFrequency.DAILY


def test_the_digest_waits_for_the_organizations_local_hour(smtp_server, dispatch):
    document = DocumentFactory()
    _change_during_last_week(document)
    user, organization = organization_tracking("free", platform=document.platform)
    AlertSchedule.objects.create(
        organization=organization, timezone="America/New_York", digest_weekday=0, digest_hour=8
    )

    # 09:00 UTC is 04:00 in New York: that week has not ended there yet.
    assert dispatch(MONDAY_NINE) == []
    assert smtp_server.messages == []
    # 13:30 UTC is 08:30 in New York.
    built = dispatch(MONDAY_NINE + timedelta(hours=4, minutes=30))
    assert len(built) == 1
    assert [message["To"] for message in smtp_server.messages] == [user.email]
    assert Digest.objects.get().period_end == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def test_schedule_periods_follow_local_days_across_daylight_saving():
    paris = Schedule(timezone="Europe/Paris", weekday=0, hour=8)
    # The week ending Monday 2026-11-02 08:00 Paris (UTC+1) began on 2026-10-26 08:00 (UTC+1),
    # after the clocks went back on 2026-10-25.
    start, end = paris.period(AlertFrequency.WEEKLY, datetime(2026, 11, 2, 12, tzinfo=UTC))
    assert end == datetime(2026, 11, 2, 7, tzinfo=UTC)
    assert start == datetime(2026, 10, 26, 7, tzinfo=UTC)
    start, end = DEFAULT_SCHEDULE.period(AlertFrequency.DAILY, MONDAY_NINE)
    assert (start, end) == (
        MONDAY_NINE - timedelta(days=1, hours=1),
        MONDAY_NINE - timedelta(hours=1),
    )


def test_fan_out_query_count_does_not_grow_with_the_number_of_organizations(
    django_assert_max_num_queries,
):
    counts = {}
    for organizations in (5, 50):
        document = DocumentFactory()
        for _ in range(organizations):
            organization_tracking("watcher", platform=document.platform)
        event = record_change(first_record(document))
        with CaptureQueriesContext(connection) as queries:
            fan_out = change_event_fan_out(change_event=event)
        counts[organizations] = len(queries)
        assert len(fan_out.email_ids) == organizations
        assert Delivery.objects.filter(change_event=event, channel=Channel.IN_APP).count() == (
            organizations
        )
    assert counts[50] == counts[5]
    with django_assert_max_num_queries(counts[5]):
        change_event_fan_out(change_event=event)
