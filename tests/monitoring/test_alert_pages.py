"""The member's notifications, alert preferences and the header link to the dashboard."""

import pytest
from django.urls import reverse

from apps.billing.models import AlertFrequency
from apps.monitoring.models import AlertPreference, AlertSchedule, Channel, Delivery, SendStatus
from tests.alerts.helpers import add_member, first_record, organization_tracking, record_change
from tests.factories import DocumentFactory
from tests.tiers import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


def _notified(user, organization, count):
    document = DocumentFactory()
    version = first_record(document)
    for _ in range(count):
        event = record_change(version, text=f"# Terms\n\nVersion {version.number + 1}.")
        version = event.version
        Delivery.objects.create(
            organization=organization,
            recipient=user,
            change_event=event,
            channel=Channel.IN_APP,
            status=SendStatus.SENT,
        )


def test_notifications_list_unread_count_and_mark_as_read(django_assert_max_num_queries):
    user, organization = organization_tracking("watcher")
    _notified(user, organization, 3)
    client = csrf_client(user)
    url = reverse("monitoring:notification_list", kwargs={"org_slug": organization.slug})

    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count("Mark as read") == 3
    assert 'id="header-dashboard"' in html and ">3</span>" in html

    first = Delivery.objects.order_by("pk").first()
    read_url = reverse("monitoring:notifications_read", kwargs={"org_slug": organization.slug})
    csrf_post(client, read_url, {"notification": str(first.pk)}, form_page=url)
    assert Delivery.objects.filter(read_at__isnull=True).count() == 2
    response = csrf_post(client, read_url, {"notification": "nope"}, form_page=url)
    assert response.status_code == 302
    csrf_post(client, read_url, {}, form_page=url)
    assert not Delivery.objects.filter(read_at__isnull=True).exists()
    dashboard = client.get(organization.get_absolute_url()).content.decode()
    assert "unread" not in dashboard


def test_dashboard_query_budget_with_notifications(django_assert_max_num_queries):
    user, organization = organization_tracking("watcher")
    _notified(user, organization, 8)
    client = csrf_client(user)
    with django_assert_max_num_queries(20):
        response = client.get(organization.get_absolute_url())
    assert "8 unread" in response.content.decode()


def test_preferences_allow_only_what_the_plan_offers():
    user, organization = organization_tracking("free")
    client = csrf_client(user)
    url = reverse("monitoring:alert_preferences", kwargs={"org_slug": organization.slug})
    page = client.get(url).content.decode()
    assert 'value="weekly"' in page and 'value="immediate"' not in page

    response = csrf_post(client, url, {"frequency": "immediate"}, form_page=url)
    assert response.status_code == 302
    assert not AlertPreference.objects.exists()
    assert "Compare plans" in client.get(url).content.decode()

    csrf_post(client, url, {"frequency": "off"}, form_page=url)
    assert AlertPreference.objects.get().frequency == AlertFrequency.OFF


def test_only_managers_set_the_digest_schedule_and_bad_zones_are_refused():
    owner, organization = organization_tracking("watcher")
    client = csrf_client(owner)
    url = reverse("monitoring:alert_preferences", kwargs={"org_slug": organization.slug})

    csrf_post(client, url, {"timezone": "Mars/Olympus", "weekday": "0", "hour": "8"}, form_page=url)
    assert not AlertSchedule.objects.exists()
    assert "is not a time zone" in client.get(url).content.decode()
    csrf_post(client, url, {"timezone": "Europe/Paris", "weekday": "4", "hour": "x"}, form_page=url)
    assert not AlertSchedule.objects.exists()

    csrf_post(client, url, {"timezone": "Europe/Paris", "weekday": "4", "hour": "7"}, form_page=url)
    schedule = AlertSchedule.objects.get()
    assert (schedule.timezone, schedule.digest_weekday, schedule.digest_hour) == (
        "Europe/Paris",
        4,
        7,
    )

    member = add_member(organization)
    member_client = csrf_client(member)
    csrf_post(member_client, url, {"timezone": "UTC", "weekday": "0", "hour": "8"}, form_page=url)
    assert AlertSchedule.objects.get().timezone == "Europe/Paris"


def test_visitors_see_no_dashboard_link(client):
    assert 'id="header-dashboard"' not in client.get("/").content.decode()
