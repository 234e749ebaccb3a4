import pytest

from apps.core.search import MAX_QUERY_LENGTH, search_input_parse
from apps.provisions.models import ProvisionStatus
from tests.factories import PlatformFactory, ProvisionFactory


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("competing", "Prohibition on Using Output"),  # title
        ("generates", "Prohibition on Using Output"),  # summary
        ("weights architecture", "Prohibition on Using Output"),  # clause text, two words
    ],
)
def test_search_finds_provisions_by_title_summary_and_clause_text(client, catalog, query, expected):
    assert expected in search(client, q=query)


def test_search_finds_platforms(client, catalog):
    html = search(client, q="Generative video")
    assert 'href="/platform/luma-ai/"' in html
    assert 'href="/platform/hulu/"' in search(client, q="hulu")


def test_search_leaves_out_unpublished_provisions(client, catalog):
    ProvisionFactory(title="Secret zeppelin clause", status=ProvisionStatus.DRAFT)
    ProvisionFactory(title="Another zeppelin clause", status=ProvisionStatus.IN_REVIEW)
    html = search(client, q="zeppelin")
    assert "zeppelin clause" not in html and "No provision matches" in html


def test_search_never_matches_memo_text(client, db):
    ProvisionFactory(
        enforcement_risk="quetzalcoatl risk",
        action_items="quetzalcoatl steps",
        regulatory_framework="quetzalcoatl law",
    )
    html = search(client, q="quetzalcoatl")
    assert "No provision matches" in html


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "abc\x00def",
        '"unterminated',
        "!!! ??? ***",
        "'; DROP TABLE provisions_provision; --",
        "a" * 5000,
        "données 数据 ü",
        "OR AND NOT -",
        "<script>alert(1)</script>",
        "training & | ! :*",
    ],
)
def test_odd_queries_never_fail(client, catalog, query):
    html = search(client, q=query)
    assert "<script>alert(1)</script>" not in html


def test_query_without_words_gets_a_clear_message(client, db):
    assert "Enter at least one word" in search(client, q="!!!")
    assert "Enter at least one word" not in search(client)


def test_search_paginates(client, db):
    platform = PlatformFactory()
    for number in range(25):
        ProvisionFactory(document__platform=platform, title=f"Marmalade clause {number}")
    first = search(client, q="marmalade")
    assert first.count('class="provision-card"') == 20 and "(25)" in first
    assert search(client, q="marmalade", page=2).count('class="provision-card"') == 5
    assert "Page 1 of 2" in search(client, q="marmalade", page="abc")


def test_search_input_parse():
    assert search_input_parse("  Arbitration \x00  CLAUSE  ").terms == ("arbitration", "clause")
    assert search_input_parse("\x00\x01").is_empty
    assert len(search_input_parse("word " * 500).text) <= MAX_QUERY_LENGTH
    assert search_input_parse("data data DATA").terms == ("data",)
