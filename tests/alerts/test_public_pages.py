"""The public change page, the Atom feeds and their conditional GET, and the stale-clause
notice on provision pages."""

import pytest
from django.urls import reverse

from apps.documents.services import change_event_record
from apps.provisions.impact import provision_impacts_assess
from tests.alerts.helpers import first_record, record_change, tracked_clause
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change():
    document = DocumentFactory(title="Terms of Service")
    provision = tracked_clause(document)
    event = record_change(first_record(document))
    provision_impacts_assess(change_event=event)
    return event, provision


def test_change_page_shows_summary_affected_provisions_and_readable_markdown(
    client, change, django_assert_max_num_queries
):
    event, provision = change
    with django_assert_max_num_queries(8):
        response = client.get(reverse("changes:detail", args=[event.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Arbitration" in html and "Sections added" in html
    assert f'href="{provision.get_absolute_url()}"' in html and "reworded" in html
    # A table row is drawn as cells, its |---| rule is not drawn, list markers become bullets.
    assert '<span class="md-cell" role="cell">' in html
    assert "|---|" not in html and "| Basic |" not in html
    assert '<span class="md-item"' in html and "- second item" not in html
    assert "&lt;b&gt;chats&lt;/b&gt;" in html


def test_a_first_record_or_unknown_event_has_no_change_page(client):
    document = DocumentFactory()
    first = first_record(document)
    event = change_event_record(version=first, previous_version=None)
    assert client.get(reverse("changes:detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("changes:detail", args=[999999])).status_code == 404


def test_platform_and_document_feeds_are_atom_linked_and_answer_conditional_gets(client, change):
    event, _provision = change
    document = event.document
    platform_feed = reverse("changes:platform_feed", args=[document.platform.slug])
    document_feed = reverse("changes:document_feed", args=[document.platform.slug, document.slug])

    for url in (platform_feed, document_feed):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        body = response.content.decode()
        assert f"/changes/{event.pk}/" in body and "version 1 → 2" in body
        etag, modified = response["ETag"], response["Last-Modified"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    later = record_change(document.versions.get(number=2), text="# Terms\n\nAll new.")
    fresh = client.get(platform_feed, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and f"/changes/{later.pk}/" in fresh.content.decode()

    assert (
        f'href="{platform_feed}"'
        in client.get(document.platform.get_absolute_url()).content.decode()
    )
    page = client.get(document.get_absolute_url()).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page and document_feed in page
    assert client.get(reverse("changes:platform_feed", args=["nobody"])).status_code == 404


def test_a_reworded_clause_shows_the_stale_notice_until_a_curator_reviews(client, change):
    event, provision = change
    provision.refresh_from_db()

    html = client.get(provision.get_absolute_url()).content.decode()
    assert "This clause changed on" in html
    assert reverse("changes:detail", args=[event.pk]) in html

    provision.needs_review = False
    provision.save(update_fields=["needs_review"])
    assert "This clause changed on" not in client.get(provision.get_absolute_url()).content.decode()
