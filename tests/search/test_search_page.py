"""The search page on a small catalog: what it finds and how, what it never shows, filters,
"did you mean", and the index following the catalog's writes. Runs on the suite's database
(SQLite's FTS5 or PostgreSQL's full text search), so both are held to the same behaviour."""

import pytest

from apps.core.search import MAX_QUERY_LENGTH, search_input_parse
from apps.provisions.models import AnalysisArticle, ProvisionStatus, Severity
from apps.provisions.services import provision_transition
from apps.site.models import SearchEntry
from apps.site.services import search_index_rebuild
from tests.factories import (
    AgencyFactory,
    ClauseTypeFactory,
    PlatformFactory,
    ProvisionFactory,
    RegulationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def search(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def catalog():
    arbitration = ClauseTypeFactory(name="Arbitration & class-action waiver", slug="arbitration")
    licence = ClauseTypeFactory(name="Licence to user content", slug="licence")
    airbnb = PlatformFactory(
        name="Airbnb", slug="airbnb", description="Short-term rentals.", sector="mobility"
    )
    luma = PlatformFactory(name="Luma AI", slug="luma-ai", description="Generative video models.")
    ProvisionFactory(
        document__platform=airbnb,
        title="Termination on 30 Days' Notice",
        summary="Airbnb may end the agreement with notice.",
        clause_text="Airbnb may terminate this agreement for any reason.",
        clause_type=licence,
        severity=Severity.MEDIUM,
    )
    ProvisionFactory(
        document__platform=airbnb,
        title="Mandatory Arbitration and Jury Trial Waiver",
        summary="Disputes go to binding arbitration.",
        clause_text="You waive the right to a jury trial.",
        clause_type=arbitration,
        severity=Severity.HIGH,
    )
    ProvisionFactory(
        document__platform=luma,
        title="Licence to Train AI Models on Uploads",
        summary="Your uploads train the models.",
        clause_text="Luma may use Inputs to train artificial intelligence models.",
        clause_type=licence,
        severity=Severity.CRITICAL,
    )
    RegulationFactory(name="General Data Protection Regulation", short_name="GDPR", slug="gdpr")
    RegulationFactory(
        name="Colorado Artificial Intelligence Act", short_name="Colorado AI Act", slug="co"
    )
    AgencyFactory(name="Federal Trade Commission", short_name="FTC", slug="ftc")
    AnalysisArticle.objects.create(
        title="Arbitration clauses compared",
        slug="arbitration-compared",
        summary="Four approaches.",
        is_published=True,
    )
    return {"airbnb": airbnb, "luma": luma, "arbitration": arbitration}


def test_one_search_groups_every_kind(client, catalog):
    html = search(client, q="arbitration")
    for heading in ("Clause types", "Research", "Provisions"):
        assert f">{heading}" in html
    assert "Mandatory Arbitration and Jury Trial Waiver" in html
    assert 'href="/clause-types/arbitration/"' in html
    assert 'href="/research/arbitration-compared/"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("GDPR", 'href="/regulations/gdpr/"'),  # a regulation's short name
        ("Colorado", 'href="/regulations/co/"'),  # a regulation's name and jurisdiction
        ("FTC", "Federal Trade Commission"),  # an agency's short name
        ("luma", 'href="/platform/luma-ai/"'),  # a platform
        ("terminate", "Termination on 30 Days"),  # stemming: terminate → termination
        ('"jury trial"', "Mandatory Arbitration and Jury Trial Waiver"),  # a phrase
    ],
)
def test_finds_by_name_short_name_stem_and_phrase(client, catalog, query, expected):
    assert expected in search(client, q=query)


def test_whole_words_only(client, catalog):
    html = search(client, q="ai")
    assert 'href="/platform/luma-ai/"' in html
    assert 'href="/platform/airbnb/"' not in html
    assert "Termination on 30 Days" not in html  # an Airbnb provision without the word


def test_a_quoted_phrase_needs_its_words_in_order(client, catalog):
    assert "Mandatory Arbitration" not in search(client, q='"trial jury"')


def test_an_excluded_word_leaves_results_out(client, catalog):
    html = search(client, q="models -luma")
    assert "Licence to Train AI Models" not in html


def test_title_matches_rank_above_body_matches_and_severity_only_breaks_ties(client, catalog):
    ProvisionFactory(
        title="Severe clause mentioning nothing",
        summary="It says the word zeppelin only here.",
        severity=Severity.CRITICAL,
    )
    ProvisionFactory(title="Zeppelin rights", severity=Severity.LOW)
    html = search(client, q="zeppelin")
    assert html.index("Zeppelin rights") < html.index("Severe clause mentioning nothing")


def test_results_with_every_word_come_before_those_with_some(client, catalog):
    html = search(client, q="arbitration jury")
    assert "Mandatory Arbitration and Jury Trial Waiver" in html
    # "models" alone matches one provision, which is still listed, after the one with both.
    html = search(client, q="train uploads arbitration")
    assert html.index("Licence to Train AI Models") < html.index("Mandatory Arbitration")


def test_snippets_highlight_matches_and_escape_the_catalogs_text(client, db):
    ProvisionFactory(
        title="Markup clause",
        summary='The <script>alert(1)</script> text says "quokka" & more: quokka.',
    )
    html = search(client, q="quokka")
    # Escaped (SQLite) or dropped as markup by ts_headline (PostgreSQL): never markup.
    assert "<script>" not in html
    assert "&amp; more" in html
    assert "<mark>quokka</mark>" in html


def test_did_you_mean_searches_the_catalogs_own_word(client, catalog):
    html = search(client, q="arbitation")
    assert "Showing results for <strong>arbitration</strong>" in html
    assert "Mandatory Arbitration and Jury Trial Waiver" in html


def test_a_misspelling_beside_results_is_offered_as_a_link(client, catalog):
    html = search(client, q="jury arbitation")
    assert "Did you mean" in html and "q=jury+arbitration" in html


def test_nothing_found_shows_popular_clause_types(client, catalog):
    html = search(client, q="xylophone")
    assert "Nothing matches" in html
    assert "Popular clause types" in html and 'href="/clause-types/licence/"' in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"severity": "critical"}, "Licence to Train AI Models", "Termination on 30 Days"),
        ({"clause_type": "arbitration"}, "Mandatory Arbitration", "Termination on 30 Days"),
        ({"platform": "luma-ai"}, "Licence to Train AI Models", "Termination on 30 Days"),
        ({"kind": "platform"}, 'href="/platform/airbnb/"', "Termination on 30 Days"),
    ],
)
def test_filters(client, catalog, params, shown, hidden):
    html = search(client, q="airbnb or models or arbitration", **params)
    assert shown in html and hidden not in html


def test_regulation_filter_keeps_provisions_mapped_to_it(client, catalog):
    gdpr_provision = ProvisionFactory(title="Mapped quokka clause")
    ProvisionFactory(title="Unmapped quokka clause")
    gdpr_provision.regulations.add(RegulationFactory(slug="mapped"))
    html = search(client, q="quokka", regulation="mapped")
    assert "Mapped quokka clause" in html and "Unmapped quokka clause" not in html


def test_an_unknown_filter_value_is_left_out_with_a_message(client, catalog):
    html = search(client, q="arbitration", clause_type="no-such-type", severity="extreme")
    assert "Mandatory Arbitration" in html and "was not recognised" in html


def test_leaves_out_unpublished_provisions_and_memo_text(client, db):
    ProvisionFactory(title="Secret zeppelin clause", status=ProvisionStatus.DRAFT)
    ProvisionFactory(title="Another zeppelin clause", status=ProvisionStatus.IN_REVIEW)
    ProvisionFactory(enforcement_risk="zeppelin risk", action_items="zeppelin steps")
    assert "zeppelin clause" not in search(client, q="zeppelin")
    assert "Nothing matches" in search(client, q="zeppelin")


def test_the_index_follows_edits_unpublishing_and_renames(client, catalog):
    provision = ProvisionFactory(title="Walrus clause", document__platform=catalog["luma"])
    assert "Walrus clause" in search(client, q="walrus")
    provision.title = "Narwhal clause"
    provision.save()
    assert "Narwhal clause" in search(client, q="narwhal")
    assert "Walrus clause" not in search(client, q="walrus")
    catalog["luma"].name = "Luma Labs"
    catalog["luma"].save()
    assert "Luma Labs ·" in search(client, q="narwhal")
    curator = UserFactory(is_staff=True, is_superuser=True)
    provision_transition(provision=provision, action="unpublish", by=curator, comment="Misread")
    assert "Narwhal clause" not in search(client, q="narwhal")
    provision.delete()
    assert not SearchEntry.objects.filter(object_id=provision.pk, kind="provision").exists()


def test_rebuild_writes_the_same_entries_as_the_saves(catalog):
    before = sorted(SearchEntry.objects.values_list("kind", "object_id", "title", "url"))
    assert search_index_rebuild() == len(before)
    assert sorted(SearchEntry.objects.values_list("kind", "object_id", "title", "url")) == before


def test_search_paginates(client, db):
    platform = PlatformFactory()
    for number in range(25):
        ProvisionFactory(document__platform=platform, title=f"Marmalade clause {number}")
    first = search(client, q="marmalade")
    assert first.count('class="search-hit search-hit--provision') == 20 and "(25)" in first
    assert search(client, q="marmalade", page=2).count("search-hit--provision") == 5
    assert "Page 1 of 2" in search(client, q="marmalade", page="abc")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\x00",
        "abc\x00def",
        '"unterminated',
        'arbitration "jury',
        '""',
        "!!! ??? ***",
        "NEAR(arbitration jury)",
        "arbitration NEAR jury",
        "arbitration*",
        "* - OR :",
        "title:arbitration",
        "-arbitration",
        "- -- ---",
        "arbitration OR",
        "OR AND NOT",
        "'; DROP TABLE site_searchentry; --",
        "a" * 5000,
        "arbitration " * 100,
        "données 数据 ü тест العربية",
        "<script>alert(1)</script>",
        "training & | ! :* <-> (",
        "\\",
        "%_%",
    ],
)
def test_odd_queries_give_results_or_a_message(client, catalog, query):
    html = search(client, q=query)
    assert "<script>alert(1)</script>" not in html
    assert (
        "search-hit" in html
        or "Nothing matches" in html
        or "Enter at least one word" in html
        or "only very common words" in html
        or query.strip() == ""
    )


def test_an_over_long_query_is_trimmed_with_a_message(client, catalog):
    html = search(client, q="arbitration " + "x" * 300)
    assert "was cut to its first 200" in html
    assert "Mandatory Arbitration" in html


def test_a_query_of_common_words_gets_a_message(client, catalog):
    assert "only very common words" in search(client, q="to be or not to be")
    assert "Enter at least one word" in search(client, q="!!!")
    assert "Enter at least one word" not in search(client)


def test_search_input_parse():
    assert search_input_parse("  Arbitration \x00  CLAUSE  ").terms == ("arbitration", "clause")
    assert search_input_parse("\x00\x01").is_empty
    assert len(search_input_parse("word " * 500).text) <= MAX_QUERY_LENGTH
    assert search_input_parse("word " * 500).trimmed
    parsed = search_input_parse('can they sell "my data" or info -ads NEAR*')
    assert parsed.as_websearch() == 'sell "my data" or info -ads near'
    assert parsed.as_fts5() == '"sell" AND ("my data" OR "info") AND "near" NOT "ads"'
