"""Alerts end to end through a real SMTP server: who gets an email (tier rules, member
frequency, tenancy), what it holds, and what happens when sending goes wrong."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import signing

from apps.accounts.models import Membership
from apps.billing.models import AlertFrequency, Plan
from apps.billing.services import subscription_grant
from apps.monitoring.alerts import change_event_fan_out, deliveries_send_batch
from apps.monitoring.models import AlertPreference, Channel, Delivery, Notification, SendStatus
from apps.monitoring.tasks import deliveries_send
from tests.alerts.helpers import (
    add_member,
    first_record,
    organization_tracking,
    prefer,
    record_change,
    tracked_clause,
)
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return DocumentFactory(title="Terms of Service")


@pytest.fixture
def first_version(document):
    return first_record(document)


def _links(message) -> list[str]:
    return re.findall(r'href="([^"]+)"', message.get_body(("html",)).get_content())


def test_tier_rules_watcher_same_day_free_digest_only_professional_per_clause(
    send_alerts, smtp_server, document, first_version
):
    provision = tracked_clause(document)
    watcher, _ = organization_tracking("watcher", platform=document.platform)
    free, _ = organization_tracking("free", platform=document.platform)
    professional, _ = organization_tracking("professional", provision=provision)
    untouched_clause = tracked_clause(document, clause="You keep your rights.")
    other_professional, _ = organization_tracking("professional", provision=untouched_clause)
    event = record_change(first_version)

    send_alerts(event.pk)

    recipients = sorted(message["To"] for message in smtp_server.messages)
    assert recipients == sorted([watcher.email, professional.email])
    assert not smtp_server.to(free.email)
    assert not smtp_server.to(other_professional.email)
    assert not Delivery.objects.filter(recipient__in=[free, other_professional]).exists()
    assert Delivery.objects.filter(channel=Channel.EMAIL, status=SendStatus.SENT).count() == 2
    assert Notification.objects.filter(recipient=watcher).count() == 1


def test_the_email_has_both_parts_the_summary_changed_words_and_links(
    send_alerts, smtp_server, document, first_version
):
    provision = tracked_clause(document)
    professional, organization = organization_tracking(
        "professional", platform=document.platform, provision=provision
    )
    event = record_change(first_version)

    send_alerts(event.pk)

    (message,) = smtp_server.to(professional.email)
    assert message["Subject"] == f"{document.platform.name} changed its Terms of Service"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert "Sections added:\n  - Arbitration" in text
    assert "{+and improve +}" in text
    assert "a clause you track" in text
    # Third-party text is escaped in the HTML part and left as typed in the plain part.
    assert "&lt;b&gt;chats&lt;/b&gt;" in html and "<b>chats</b>" not in html
    assert "<b>chats</b>" in text
    assert "<ins" in html and "Arbitration" in html
    assert "<img" not in html and "<link" not in html
    assert 'style="' in html
    links = _links(message)
    assert f"http://127.0.0.1:8000/changes/{event.pk}/" in links
    assert "http://127.0.0.1:8000" + provision.get_absolute_url() in links
    assert any(link.endswith("/changes/1...2/") for link in links)
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("<http://127.0.0.1:8000/alerts/unsubscribe/")
    assert unsubscribe.strip("<>") in links
    assert f"http://127.0.0.1:8000/orgs/{organization.slug}/alerts/" in links


def test_one_click_unsubscribe_from_the_received_link(
    send_alerts, client, smtp_server, document, first_version
):
    user, organization = organization_tracking("watcher", platform=document.platform)
    send_alerts(record_change(first_version).pk)
    (message,) = smtp_server.to(user.email)
    url = str(message["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://127.0.0.1:8000")

    # A mail client's RFC 8058 POST: no cookie, no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    preference = AlertPreference.objects.get(
        membership__organization=organization, membership__user=user
    )
    assert preference.frequency == AlertFrequency.OFF
    second = record_change(first_version.document.versions.get(number=2), text="# Terms\n\nNew.")
    send_alerts(second.pk)
    assert len(smtp_server.to(user.email)) == 1
    assert not Notification.objects.filter(change_event=second).exists()


def test_a_forged_or_expired_unsubscribe_link_changes_nothing(client, document, settings):
    user, organization = organization_tracking("watcher", platform=document.platform)
    token = signing.dumps({"o": organization.pk, "u": user.pk}, salt="monitoring.unsubscribe")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    response = client.post(f"/alerts/unsubscribe/{forged}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()

    settings.ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS = 0
    response = client.post(f"/alerts/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not AlertPreference.objects.exists()

    settings.ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS = 90
    assert client.get(f"/alerts/unsubscribe/{token}/").status_code == 200
    assert not AlertPreference.objects.exists(), "a GET (a link scanner) unsubscribes nobody"


def test_each_member_chooses_within_the_plan(send_alerts, smtp_server, document, first_version):
    owner, organization = organization_tracking("watcher", platform=document.platform)
    daily = add_member(organization)
    off = add_member(organization)
    prefer(organization, daily, AlertFrequency.DAILY)
    prefer(organization, off, AlertFrequency.OFF)
    free_owner, free_org = organization_tracking("free", platform=document.platform)
    # Chosen while the organization was paying; Free allows only the weekly digest.
    prefer(free_org, free_owner, AlertFrequency.IMMEDIATE)

    send_alerts(record_change(first_version).pk)

    assert [message["To"] for message in smtp_server.messages] == [owner.email]
    assert set(Notification.objects.values_list("recipient", flat=True)) == {owner.pk, daily.pk}


def test_another_organizations_members_never_get_the_alert(
    send_alerts, smtp_server, two_orgs, document, first_version
):
    from apps.monitoring.models import WatchedPlatform

    WatchedPlatform.objects.create(organization=two_orgs.org_a, platform=document.platform)
    colleague_b = add_member(two_orgs.org_b)

    send_alerts(record_change(first_version).pk)

    assert [message["To"] for message in smtp_server.messages] == [two_orgs.owner_a.email]
    assert not Delivery.objects.filter(recipient__in=[two_orgs.owner_b, colleague_b]).exists()
    assert not Delivery.objects.filter(organization=two_orgs.org_b).exists()


def test_a_platform_nobody_tracks_creates_nothing(smtp_server, document, first_version):
    organization_tracking("professional", platform=DocumentFactory().platform)

    fan_out = change_event_fan_out(change_event=record_change(first_version))

    assert fan_out.email_ids == [] and not Delivery.objects.exists()
    assert smtp_server.messages == []


def test_member_removed_or_plan_lapsed_between_change_and_send(
    smtp_server, document, first_version
):
    owner, organization = organization_tracking("watcher", platform=document.platform)
    leaving = add_member(organization)
    lapsing_owner, lapsing = organization_tracking("watcher", platform=document.platform)
    fan_out = change_event_fan_out(change_event=record_change(first_version))
    assert len(fan_out.email_ids) == 3

    Membership.objects.filter(organization=organization, user=leaving).delete()
    subscription_grant(organization=lapsing, plan=Plan.objects.get(code="free"))
    result = deliveries_send_batch(delivery_ids=fan_out.email_ids)

    assert [message["To"] for message in smtp_server.messages] == [owner.email]
    assert (result.sent, result.skipped) == (1, 2)
    left = Delivery.objects.get(recipient=leaving, channel=Channel.EMAIL)
    assert left.status == SendStatus.SKIPPED and "no longer a member" in left.last_error
    lapsed = Delivery.objects.get(recipient=lapsing_owner, channel=Channel.EMAIL)
    assert lapsed.status == SendStatus.SKIPPED and "weekly" in lapsed.last_error


def test_a_recipient_without_a_verified_email_is_skipped(
    send_alerts, smtp_server, document, first_version
):
    user, _ = organization_tracking("watcher", platform=document.platform)
    EmailAddress.objects.filter(user=user).update(verified=False)

    send_alerts(record_change(first_version).pk)

    assert smtp_server.messages == []
    delivery = Delivery.objects.get(recipient=user, channel=Channel.EMAIL)
    assert delivery.status == SendStatus.SKIPPED
    assert "no verified email" in delivery.last_error


def test_an_smtp_refusal_ends_as_failed_with_the_error_kept(
    send_alerts, smtp_server, document, first_version
):
    refused, _ = organization_tracking("watcher", platform=document.platform)
    accepted, _ = organization_tracking("watcher", platform=document.platform)
    smtp_server.refused.add(refused.email)

    send_alerts(record_change(first_version).pk)

    assert [message["To"] for message in smtp_server.messages] == [accepted.email]
    failed = Delivery.objects.get(recipient=refused, channel=Channel.EMAIL)
    assert failed.status == SendStatus.FAILED
    assert failed.attempts == 1
    assert "550" in failed.last_error
    assert Delivery.objects.get(recipient=accepted, channel=Channel.EMAIL).status == SendStatus.SENT


def test_an_unreachable_server_is_retried_then_fails_with_the_error_kept(
    send_alerts, settings, document, first_version, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.monitoring.tasks import alerts_retry
    from tests.alerts.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.ALERTS_SEND_MAX_ATTEMPTS = 3
    settings.ALERTS_SEND_RETRY_BASE_SECONDS = 60
    user, _ = organization_tracking("watcher", platform=document.platform)
    send_alerts(record_change(first_version).pk)
    delivery = Delivery.objects.get(recipient=user, channel=Channel.EMAIL)

    # Each retry is a due time on the row, the backoff from the failure, which the retry
    # pass queues once it has come: nothing before, then one send.
    for ceiling in (60, 120):
        delivery.refresh_from_db()
        assert delivery.status == SendStatus.PENDING
        wait = delivery.next_attempt_at - delivery.updated_at
        assert timedelta(seconds=ceiling / 2) <= wait <= timedelta(seconds=ceiling + 1)
        assert alerts_retry() == 0
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            assert alerts_retry() == 1

    delivery.refresh_from_db()
    assert delivery.status == SendStatus.FAILED
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error


def test_a_retried_task_sends_nothing_twice(send_alerts, smtp_server, document, first_version):
    user, _ = organization_tracking("watcher", platform=document.platform)
    event = record_change(first_version)
    send_alerts(event.pk)
    ids = list(Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))

    send_alerts(event.pk)  # the fan-out redelivered
    deliveries_send(ids)  # the send redelivered

    assert len(smtp_server.to(user.email)) == 1
    assert Delivery.objects.filter(recipient=user).count() == 2  # one email, one notification


def test_a_paused_watchlist_item_alerts_nobody(send_alerts, smtp_server, document, first_version):
    from django.utils import timezone

    from apps.monitoring.models import WatchedPlatform

    user, organization = organization_tracking("watcher", platform=document.platform)
    WatchedPlatform.objects.filter(organization=organization).update(paused_at=timezone.now())

    send_alerts(record_change(first_version).pk)

    assert smtp_server.messages == []
    assert not Delivery.objects.filter(recipient=user).exists()
