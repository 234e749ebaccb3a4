"""The quality set (tests/search/quality.py) on the demo catalog, on whichever database the
suite runs (CI runs it on SQLite and on PostgreSQL)."""

import pytest

from tests.search.quality import QUERY_SET, missing


def test_the_quality_set_is_large_enough():
    assert len(QUERY_SET) >= 30
    assert len({quality_query.query for quality_query in QUERY_SET}) == len(QUERY_SET)


@pytest.mark.parametrize("quality_query", QUERY_SET, ids=lambda quality_query: quality_query.query)
def test_expected_results_are_in_the_top_five(demo_catalog, db, quality_query):
    assert missing(quality_query) == []
