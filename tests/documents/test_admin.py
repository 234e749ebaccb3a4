import pytest
from django.urls import reverse
from django.utils import timezone

from apps.documents.models import AttemptErrorKind, FetchAttempt, FetchOutcome
from apps.documents.services import snapshot_ingest
from tests.documents.pipeline_helpers import MARKDOWN, corpus_bytes
from tests.factories import DocumentFactory, ProvisionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="curator@example.com", password="pw")
    client.force_login(user)
    return client


def failed_attempt(document, message):
    now = timezone.now()
    return FetchAttempt.objects.create(
        document=document,
        started_at=now,
        finished_at=now,
        outcome=FetchOutcome.ERROR,
        error_kind=AttemptErrorKind.GONE,
        message=message,
        http_status=404,
    )


def test_failing_documents_filter_lists_documents_failing_n_times_in_a_row(
    curator_client, settings
):
    settings.DOCUMENTS_FAILING_THRESHOLD = 3
    failing = DocumentFactory(title="Broken terms", consecutive_failures=4)
    DocumentFactory(title="Flaky terms", consecutive_failures=1)

    response = curator_client.get(
        reverse("admin:documents_document_changelist"), {"health": "failing"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failing]
    assert "<strong>⚠ 4</strong>" in response.content.decode()


def test_document_page_shows_fetch_history_versions_and_flagged_provisions(curator_client):
    document = DocumentFactory()
    snapshot_ingest(
        document=document,
        raw=corpus_bytes("zoom__terms-of-service", "v004.md"),
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={},
        fetched_at=timezone.now(),
    )
    failed_attempt(document, "https://example.com/terms answered 404")
    ProvisionFactory(
        document=document,
        title="Data licence",
        needs_review=True,
        review_reason="Version 2: its clause was reworded.",
    )

    response = curator_client.get(reverse("admin:documents_document_change", args=[document.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "answered 404" in html
    assert "First record" in html
    assert "Data licence" in html and "its clause was reworded" in html


def test_changing_selectors_in_the_admin_raises_the_extraction_rule_version(curator_client):
    document = DocumentFactory(select_selectors="main")
    url = reverse("admin:documents_document_change", args=[document.pk])
    form = curator_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "platform": document.platform.pk,
            "select_selectors": "article",
            **{
                f"{prefix}-{suffix}": value
                for prefix in ("versions", "fetch_attempts")
                for suffix, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    document.refresh_from_db()
    assert (document.select_selectors, document.extraction_rule_version) == ("article", 2)


def test_versions_snapshots_and_attempts_are_read_only(curator_client):
    document = DocumentFactory()
    attempt = failed_attempt(document, "gone")
    assert curator_client.get(reverse("admin:documents_fetchattempt_add")).status_code == 403
    response = curator_client.post(
        reverse("admin:documents_fetchattempt_change", args=[attempt.pk]), {"message": "x"}
    )
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.message == "gone"


def test_the_fetch_attempt_list_is_newest_first_in_constant_queries_without_a_full_count(
    curator_client, django_assert_max_num_queries
):
    document = DocumentFactory()
    now = timezone.now()
    for minutes in range(5):
        FetchAttempt.objects.create(
            document=document,
            started_at=now - timezone.timedelta(minutes=minutes),
            finished_at=now,
            outcome=FetchOutcome.UNCHANGED,
        )
    failed_attempt(document, "gone")

    with django_assert_max_num_queries(8):
        response = curator_client.get("/admin/documents/fetchattempt/")

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [a.started_at for a in listed] == sorted((a.started_at for a in listed), reverse=True)
    # No date hierarchy (it reads the dates of every row) and no count of the whole table.
    assert response.context["cl"].date_hierarchy is None
    assert response.context["cl"].show_full_result_count is False


def test_large_admin_lists_count_at_most_their_cap(curator_client, monkeypatch):
    from apps.core.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 3)
    document = DocumentFactory()
    for _ in range(5):
        failed_attempt(document, "gone")

    response = curator_client.get("/admin/documents/fetchattempt/")

    assert response.context["cl"].result_count == 3


def test_large_admin_lists_show_fifty_rows_a_page(curator_client):
    document = DocumentFactory()
    now = timezone.now()
    FetchAttempt.objects.bulk_create(
        FetchAttempt(
            document=document,
            started_at=now - timezone.timedelta(minutes=minutes),
            finished_at=now,
            outcome=FetchOutcome.UNCHANGED,
        )
        for minutes in range(51)
    )

    first = curator_client.get("/admin/documents/fetchattempt/")
    second = curator_client.get("/admin/documents/fetchattempt/?p=2")

    assert len(first.context["cl"].result_list) == 50
    assert len(second.context["cl"].result_list) == 1


def test_a_filtered_fetch_attempt_list_links_its_rows_without_re_resolving_them(curator_client):
    # The rows are read-only: their links carry no `_changelist_filters`, which the admin
    # would otherwise resolve against every URL pattern once per row.
    attempt = failed_attempt(DocumentFactory(), "HTTP 503")
    response = curator_client.get("/admin/documents/fetchattempt/?outcome=error")
    page = response.content.decode()
    change_url = reverse("admin:documents_fetchattempt_change", args=[attempt.pk])
    assert f'href="{change_url}"' in page
    assert "_changelist_filters" not in page
