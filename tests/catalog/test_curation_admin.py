"""The curators' admin: workflow buttons on the provision page, the curator queue, search that
puts title and record ID matches first, non-superuser curators, and document sources captured
on save."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.assist.labels import ClauseLabel
from apps.assist.models import ClauseSuggestion, SuggestionStatus
from apps.documents.models import AttemptErrorKind, Document, FetchAttempt, FetchOutcome
from apps.documents.tasks import snapshot_document
from apps.provisions.models import Provision, ProvisionStatus, ProvisionTransition
from apps.provisions.services import provision_transition
from tests.factories import (
    ClauseTypeFactory,
    DocumentFactory,
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _change_page(client, provision) -> str:
    response = client.get(reverse("admin:provisions_provision_change", args=[provision.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" name="action" value="(\w+)"', html)


def _step(client, provision, action, **fields) -> list[str]:
    response = client.post(
        reverse("admin:provisions_provision_transition", args=[provision.pk]),
        {"action": action, **fields},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_offers_the_steps_the_status_and_rights_allow(
    client, ready_provision, submitter, reviewer
):
    client.force_login(submitter)
    assert _buttons(_change_page(client, ready_provision)) == ["submit"]

    _step(client, ready_provision, "submit", comment="Please check the quote")

    client.force_login(reviewer)
    html = _change_page(client, ready_provision)
    assert _buttons(html) == ["request_changes", "publish"]
    assert "Please check the quote" in html
    # Only the submitter is offered the sole-curator override.
    assert 'name="sole_curator"' not in html
    client.force_login(submitter)
    assert 'name="sole_curator"' in _change_page(client, ready_provision)


def test_buttons_take_the_step_and_record_the_comment(client, ready_provision, submitter, reviewer):
    client.force_login(submitter)
    assert _step(client, ready_provision, "submit") == [
        f"{ready_provision.record_id} submitted for review."
    ]
    client.force_login(reviewer)

    messages = _step(client, ready_provision, "publish", comment="Quote checked against v1")

    assert messages == [f"{ready_provision.record_id} published."]
    ready_provision.refresh_from_db()
    assert ready_provision.status == ProvisionStatus.PUBLISHED
    step = ProvisionTransition.objects.get(provision=ready_provision, action="publish")
    assert (step.by, step.comment) == (reviewer, "Quote checked against v1")


def test_a_refused_step_is_a_message_and_changes_nothing(client, ready_provision, submitter):
    client.force_login(submitter)
    _step(client, ready_provision, "submit")

    messages = _step(client, ready_provision, "publish")

    assert len(messages) == 1
    assert "another curator must publish it (four eyes)" in messages[0]
    ready_provision.refresh_from_db()
    assert ready_provision.status == ProvisionStatus.IN_REVIEW
    assert not ProvisionTransition.objects.filter(action="publish").exists()


def test_the_only_curator_publishes_by_ticking_the_override(client, ready_provision, make_curator):
    alone = make_curator("alone@conductatlas.test")
    client.force_login(alone)
    _step(client, ready_provision, "submit")

    messages = _step(client, ready_provision, "publish", sole_curator="on")

    assert messages == [f"{ready_provision.record_id} published."]


@pytest.mark.parametrize("action", ["publish", "unpublish", "request_changes", "teleport"])
def test_a_step_the_status_does_not_allow_is_refused_clearly(
    client, ready_provision, reviewer, action
):
    client.force_login(reviewer)

    messages = _step(client, ready_provision, action)

    assert len(messages) == 1
    assert "is draft: only a provision that is" in messages[0] or "Unknown" in messages[0]
    assert Provision.objects.get(pk=ready_provision.pk).status == ProvisionStatus.DRAFT


def test_the_step_url_takes_only_posts(client, ready_provision, reviewer):
    client.force_login(reviewer)

    response = client.get(
        reverse("admin:provisions_provision_transition", args=[ready_provision.pk])
    )

    assert response.status_code == 405


def test_an_unknown_provision_id_is_404(client, reviewer):
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:provisions_provision_transition", args=["not-a-number"]),
        {"action": "publish"},
    )

    assert response.status_code == 404


def test_the_list_filters_imported_provisions(client, curator):
    imported = ProvisionFactory(tosdr_point_id="42")
    ProvisionFactory()
    client.force_login(curator)

    response = client.get(reverse("admin:provisions_provision_changelist"), {"source": "tosdr"})

    assert list(response.context["cl"].result_list) == [imported]


def test_curators_need_not_be_superusers(client, submitter):
    ProvisionFactory()
    client.force_login(submitter)

    for url in (
        reverse("admin:provisions_provision_changelist"),
        reverse("admin:provisions_provision_add"),
        reverse("admin:documents_document_add"),
        reverse("admin:assist_clausesuggestion_changelist"),
        reverse("curator_queue"),
    ):
        assert client.get(url).status_code == 200, url
    # Accepting or rejecting a clause suggestion is what "change clause suggestion" grants.
    assert submitter.has_perm("assist.change_clausesuggestion")


def test_staff_outside_the_group_cannot_open_provisions(client):
    client.force_login(UserFactory(email="staff@conductatlas.test", is_staff=True))

    response = client.get(reverse("admin:provisions_provision_changelist"))

    assert response.status_code == 403


def test_search_lists_title_and_record_id_matches_before_clause_text_matches(client, curator):
    by_clause = ProvisionFactory(
        title="Data sharing", clause_text="We may share arbitration outcomes with partners."
    )
    by_title = ProvisionFactory(title="Binding arbitration", clause_text="Disputes go to AAA.")
    by_record_id = ProvisionFactory(title="Something else")
    client.force_login(curator)

    found = (
        client.get(reverse("admin:provisions_provision_changelist"), {"q": "arbitration"})
        .context["cl"]
        .result_list
    )
    exact = (
        client.get(reverse("admin:provisions_provision_changelist"), {"q": by_record_id.record_id})
        .context["cl"]
        .result_list
    )

    assert list(found) == [by_title, by_clause]
    assert list(exact)[0] == by_record_id


def test_the_queue_counts_what_waits_with_its_age_and_links(
    client, curator, submitter, ready_provision, settings
):
    settings.DOCUMENTS_FAILING_THRESHOLD = 3
    flagged = ProvisionFactory(needs_review=True, review_reason="Clause reworded")
    provision_transition(provision=ready_provision, action="submit", by=submitter)
    Provision.objects.filter(pk=ready_provision.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    DocumentFactory(consecutive_failures=5, last_verified_at=timezone.now() - timedelta(days=10))
    DocumentFactory(consecutive_failures=1)
    version = DocumentVersionFactory()
    for position, status in enumerate([SuggestionStatus.PENDING, SuggestionStatus.REJECTED]):
        ClauseSuggestion.objects.create(
            version=version,
            document=version.document,
            position=position,
            sentence="We may change these terms at any time.",
            sentence_sha256=f"{position:064d}",
            label=ClauseLabel.UNILATERAL_CHANGE,
            clause_type=ClauseTypeFactory(),
            confidence=0.9,
            status=status,
        )
    ClauseSuggestion.objects.update(created_at=timezone.now() - timedelta(days=2))
    client.force_login(curator)

    response = client.get(reverse("curator_queue"))

    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Provisions flagged by a document change"]["count"] == 1
    assert rows["Drafts awaiting review"]["count"] == 1
    assert rows["Drafts awaiting review"]["age"].days == 3
    assert rows["Clause suggestions awaiting triage"]["count"] == 1
    assert rows["Clause suggestions awaiting triage"]["age"].days == 2
    assert rows["Documents failing to fetch"]["count"] == 1
    assert rows["Documents failing to fetch"]["age"].days == 10
    html = response.content.decode()
    assert "?status__exact=in_review" in html
    assert "?health=failing" in html
    assert "?status__exact=pending" in html
    flagged_list = client.get(rows["Provisions flagged by a document change"]["url"])
    assert list(flagged_list.context["cl"].result_list) == [flagged]


def test_the_queue_page_runs_a_fixed_number_of_queries(
    client, curator, django_assert_max_num_queries
):
    ProvisionFactory.create_batch(5, needs_review=True)
    DocumentFactory.create_batch(5, consecutive_failures=9)
    client.force_login(curator)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("curator_queue"))

    assert response.status_code == 200


def _document_form(client, url: str, **fields) -> dict:
    """The add/change form's management fields as the page renders them, plus `fields`."""
    html = client.get(url).content.decode()
    data = dict(
        re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"'
            r'[^>]*value="(\d+)"',
            html,
        )
    )
    return {**data, **fields}


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(snapshot_document, "delay", lambda *args: calls.append(args))
    return calls


def test_saving_a_new_source_queues_its_capture_on_commit(
    client, curator, queued, django_capture_on_commit_callbacks
):
    platform = PlatformFactory()
    client.force_login(curator)
    url = reverse("admin:documents_document_add")
    form = _document_form(
        client,
        url,
        platform=platform.pk,
        title="Terms",
        slug="terms",
        doc_type="terms_of_service",
        source_url="https://example.com/terms",
        is_monitored="on",
        fetch_interval_hours=24,
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, form, follow=True)
        assert queued == []

    document = Document.objects.get(slug="terms")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("a capture of https://example.com/terms is queued" in m for m in messages)
    for callback in callbacks:
        callback()
    assert queued == [(document.pk,)]


def test_a_changed_source_is_captured_and_an_unchanged_one_is_not(
    client, curator, queued, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    client.force_login(curator)
    url = reverse("admin:documents_document_change", args=[document.pk])
    fields = {
        "platform": document.platform_id,
        "title": "Renamed terms",
        "slug": document.slug,
        "doc_type": document.doc_type,
        "source_url": document.source_url,
        "is_monitored": "on",
        "fetch_interval_hours": 24,
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _document_form(client, url, **fields))
    assert queued == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, _document_form(client, url, **{**fields, "source_url": "https://example.com/new"})
        )
    assert queued == [(document.pk,)]


def test_a_monitored_document_needs_a_source_url(client, curator, queued):
    platform = PlatformFactory()
    client.force_login(curator)
    url = reverse("admin:documents_document_add")

    response = client.post(
        url,
        _document_form(
            client,
            url,
            platform=platform.pk,
            title="Terms",
            slug="terms",
            doc_type="terms_of_service",
            source_url="",
            is_monitored="on",
            fetch_interval_hours=24,
        ),
    )

    assert response.status_code == 200
    assert "A monitored document needs its source URL." in response.content.decode()
    assert not Document.objects.filter(slug="terms").exists()
    assert queued == []


def test_the_document_page_shows_the_latest_fetch_outcome(client, curator):
    document = DocumentFactory()
    now = timezone.now()
    FetchAttempt.objects.create(
        document=document,
        started_at=now,
        finished_at=now,
        outcome=FetchOutcome.ERROR,
        error_kind=AttemptErrorKind.GONE,
        message="https://example.com/terms answered 404",
        http_status=404,
    )
    client.force_login(curator)

    html = client.get(reverse("admin:documents_document_change", args=[document.pk])).content

    assert "⚠ Error at" in html.decode()
    assert "Gone (404/410) https://example.com/terms answered 404" in html.decode()
