"""Public pages lead to the diff of each documented change."""

from tests.pages.test_catalog_pages import get_html

LUMA_DIFF = "/platform/luma-ai/terms-of-service/changes/{}...{}/"


def test_home_links_each_recent_change_to_its_diff(client, catalog):
    html = get_html(client, "/")
    assert LUMA_DIFF.format(2, 3) in html
    assert LUMA_DIFF.format(1, 2) in html
    # Version 4 is a technical re-extraction, not a change: no link to it.
    assert LUMA_DIFF.format(3, 4) not in html
    assert client.get(LUMA_DIFF.format(2, 3)).status_code == 200
