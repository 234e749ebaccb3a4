import pytest
from django.urls import reverse

from apps.documents.models import ChangeEvent, VersionKind
from apps.platforms.models import Sector
from apps.provisions.models import ProvisionStatus, Severity
from tests.factories import (
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
    RegulationFactory,
)


def get_html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_shows_search_figures_and_recent_changes(client, catalog):
    html = get_html(client, "/")
    assert 'action="/search/"' in html and 'name="q"' in html
    assert "<strong>4</strong> platforms tracked" in html
    # Four published provisions: the draft and the one in review are not counted.
    assert "<strong>4</strong> provisions analysed" in html
    assert "Luma AI</a> changed" in html and "(version 3)" in html
    # A re-extraction is not a change.
    assert "(version 4)" not in html
    assert "DRAFT-SIBLING" not in html and "DRAFT-PEER" not in html


def test_platform_list_filters_by_sector_and_severity(client, catalog):
    html = get_html(client, "/platforms/", sector=Sector.MEDIA)
    assert "Hulu" in html and "Luma AI" not in html

    html = get_html(client, "/platforms/", severity="critical")
    assert "Hinge" in html and "Hulu" not in html and "Luma AI" not in html

    # Draftly's only provision is in review: it does not count as having a high one.
    html = get_html(client, "/platforms/", severity="high")
    assert "Hulu" in html and "Luma AI" in html and "Draftly" not in html


def test_platform_list_counts_only_published_provisions(client, catalog):
    html = get_html(client, "/platforms/")
    assert "2 provisions · 1 document" in html  # Luma AI: one draft sibling left out
    assert "0 provisions · 1 document" in html  # Draftly


@pytest.mark.parametrize(
    "params",
    [
        {"sector": "no-such-sector"},
        {"severity": "apocalyptic"},
        {"severity": "4"},
        {"sector": "\x00", "page": "abc"},
    ],
)
def test_platform_list_ignores_bad_filters_with_a_notice(client, catalog, params):
    html = get_html(client, "/platforms/", **params)
    assert "We ignored a filter value we do not recognise" in html
    assert "Luma AI" in html and "Hulu" in html


def test_platform_list_paginates(client, db):
    PlatformFactory.create_batch(30)
    assert get_html(client, "/platforms/").count('class="card platform-card"') == 24
    second = get_html(client, "/platforms/", page=2)
    assert second.count('class="card platform-card"') == 6 and "Page 2 of 2" in second
    assert "Page 2 of 2" in get_html(client, "/platforms/", page=99999)
    assert "Page 1 of 2" in get_html(client, "/platforms/", page="abc")
    filtered = get_html(client, "/platforms/", sector=Sector.AI)
    assert "sector=ai&amp;page=2" in filtered


def test_platform_page(client, catalog):
    html = get_html(client, catalog.platform.get_absolute_url())
    assert "<h1>Luma AI</h1>" in html and "AI &amp; machine learning" in html
    assert "Luma AI Terms of Service" in html and catalog.provision.document.record_id in html
    assert html.index("High <span") < html.index("Medium <span")
    assert "Usage Data Ownership" in html and "Prohibition on Using Output" in html
    assert "DRAFT-SIBLING" not in html
    assert "recorded <strong>1</strong> documented change in the last 30 days" in html
    assert "Start monitoring" in html


def test_change_activity_counts_only_recent_changes(client, catalog):
    document = catalog.provision.document
    previous = document.versions.get(number=3)
    version = DocumentVersionFactory(document=document, number=10, kind=VersionKind.CHANGE)
    ChangeEvent.objects.create(document=document, version=version, previous_version=previous)
    html = get_html(client, catalog.platform.get_absolute_url())
    assert "recorded <strong>2</strong> documented changes in the last 30 days" in html


def test_document_page(client, catalog):
    document = catalog.provision.document
    html = get_html(client, document.get_absolute_url())
    assert "<h1>Luma AI Terms of Service</h1>" in html
    assert document.record_id in html and "Terms of Service" in html
    assert "https://lumalabs.example/legal/tos" in html
    assert "May 5, 2026" in html
    for kind in ("First record", "Change", "Technical re-extraction"):
        assert f"<td>{kind}</td>" in html
    assert "Wayback ↗" in html
    assert "Usage Data Ownership" in html and "DRAFT-SIBLING" not in html


def test_document_page_paginates_versions(client, catalog):
    document = catalog.provision.document
    for number in range(5, 31):
        DocumentVersionFactory(document=document, number=number, kind=VersionKind.CHANGE)
    first = get_html(client, document.get_absolute_url())
    assert ">v30</a>" in first and "Page 1 of 2" in first
    assert ">v1</a>" not in first
    assert ">v1</a>" in get_html(client, document.get_absolute_url(), page=2)


def test_clause_type_page_lists_published_provisions_side_by_side(client, catalog):
    html = get_html(client, catalog.provision.clause_type.get_absolute_url())
    assert "Hulu" in html and "Luma AI" in html
    assert "PEER-CLAUSE" in html and catalog.peer.get_absolute_url() in html
    assert "DRAFT-PEER" not in html and "Arbitration of disputes" not in html
    assert "2 published provisions" in html


def test_clause_type_index_leaves_out_types_without_published_provisions(client, catalog):
    ProvisionFactory(clause_type__name="Only drafted", status=ProvisionStatus.DRAFT)
    html = get_html(client, "/clause-types/")
    assert catalog.provision.clause_type.name in html
    assert "2 platforms · 2 provisions" in html
    assert "Only drafted" not in html


def test_regulation_pages(client, catalog):
    empty = RegulationFactory(name="Texas AI Act", jurisdiction="Texas, USA")
    draft = ProvisionFactory(title="DRAFT-MAPPED", status=ProvisionStatus.DRAFT)
    draft.regulations.add(catalog.provision.regulations.get(slug="eu-ai-act"))

    index = get_html(client, reverse("regulations:regulation_list"))
    assert "EU AI Act" in index and "1 mapped provision" in index
    assert "Texas AI Act" in index and "0 mapped provisions" in index

    html = get_html(client, "/regulations/eu-ai-act/")
    assert "<h1>EU AI Act</h1>" in html and "European Union" in html
    assert "Prohibition on Using Output" in html and "DRAFT-MAPPED" not in html
    assert "No published provision is mapped" in get_html(client, empty.get_absolute_url())


def test_regulation_page_paginates(client, db):
    regulation = RegulationFactory()
    for provision in ProvisionFactory.create_batch(31, severity=Severity.LOW):
        provision.regulations.add(regulation)
    assert "Page 2 of 2" in get_html(client, regulation.get_absolute_url(), page=2)


def test_research_pages_show_published_articles_only(client, catalog):
    index = get_html(client, "/research/")
    assert "ARTICLE-ONE" in index and "ARTICLE-TWO" in index and "ARTICLE-HIDDEN" not in index
    article = get_html(client, catalog.article_by_provision.get_absolute_url())
    assert "Prohibition on Using Output" in article
    assert client.get(catalog.unpublished_article.get_absolute_url()).status_code == 404


def test_methodology_page(client, db):
    html = get_html(client, "/methodology/")
    assert "<h1>Methodology</h1>" in html and "Hash verified" in html
