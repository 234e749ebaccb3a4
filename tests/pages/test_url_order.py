"""The resolver tries URL patterns in order: the catalog's pages, most of the traffic, are found
among the first patterns rather than after every other app's."""

import pytest
from django.urls import resolve

CATALOG_PAGES = {
    "/": "site:home",
    "/search/": "site:search",
    "/platform/luma-ai/": "platforms:platform_detail",
    "/platform/luma-ai/terms/": "platforms:document_detail",
    "/platform/luma-ai/terms/output-licence/": "platforms:provision_detail",
    # Still the document's, not a provision called "changes".
    "/platform/luma-ai/terms/changes/1...2/": "documents:version_diff",
}


@pytest.mark.parametrize(("path", "view_name"), CATALOG_PAGES.items())
def test_catalog_pages_are_among_the_first_patterns_tried(path, view_name):
    match = resolve(path)
    assert match.view_name == view_name
    assert len(match.tried) <= 12
