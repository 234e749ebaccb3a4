"""Public pages lead to the diff of each documented change."""

from apps.documents.models import ArchivedSnapshot
from tests.pages.test_catalog_pages import get_html

LUMA_DIFF = "/platform/luma-ai/terms-of-service/changes/{}...{}/"


def test_home_links_each_recent_change_to_its_diff(client, catalog):
    html = get_html(client, "/")
    assert LUMA_DIFF.format(2, 3) in html
    assert LUMA_DIFF.format(1, 2) in html
    # Version 4 is a technical re-extraction, not a change: no link to it.
    assert LUMA_DIFF.format(3, 4) not in html
    assert client.get(LUMA_DIFF.format(2, 3)).status_code == 200


def test_document_page_shows_evidence_and_diff_links_per_version(client, catalog):
    html = get_html(client, "/platform/luma-ai/terms-of-service/")
    for older, newer in ((1, 2), (2, 3), (3, 4)):
        assert LUMA_DIFF.format(older, newer) in html
    # Version 3 has a stored snapshot whose last re-hash matched; the others are text only.
    assert html.count("Snapshot stored ✓") == 1
    assert html.count("Hash verified ✓") == 1
    assert html.count("Text only") == 3


def test_document_page_reports_a_failed_hash_check(client, catalog):
    ArchivedSnapshot.objects.update(last_verification_ok=False)
    html = get_html(client, "/platform/luma-ai/terms-of-service/")
    assert "Hash mismatch" in html and "Hash verified ✓" not in html
