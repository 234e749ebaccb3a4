import re
from xml.etree import ElementTree

import pytest
from django.test import RequestFactory

from apps.provisions.models import ProvisionStatus
from apps.site.views import server_error
from tests.factories import PlatformFactory

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse_sitemap(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 -- our own response, not untrusted XML


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://atlas.example"
    return settings.SITE_URL


def page_urls(catalog):
    provision = catalog.provision
    return [
        "/",
        "/platforms/",
        catalog.platform.get_absolute_url(),
        provision.document.get_absolute_url(),
        provision.get_absolute_url(),
        "/clause-types/",
        provision.clause_type.get_absolute_url(),
        "/regulations/",
        "/regulations/eu-ai-act/",
        "/research/",
        catalog.article_by_provision.get_absolute_url(),
        "/search/?q=training",
        "/methodology/",
    ]


def test_every_page_has_title_description_and_canonical_url(client, catalog, site_url):
    titles = set()
    for url in page_urls(catalog):
        html = client.get(url).content.decode()
        title = re.search(r"<title>(.+?)</title>", html, re.S).group(1)
        description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
        assert title.endswith(" · ConductAtlas") and len(title) > len(" · ConductAtlas"), url
        assert len(description.strip()) > 30, url
        assert canonical == site_url + url.split("?")[0], url
        titles.add(title)
    assert len(titles) == len(page_urls(catalog))


def test_canonical_url_of_a_later_page_keeps_its_number(client, db, site_url):
    PlatformFactory.create_batch(25)
    html = client.get("/platforms/", {"page": 2, "sector": "ai"}).content.decode()
    assert f'<link rel="canonical" href="{site_url}/platforms/?page=2">' in html


def test_robots_txt_points_to_the_sitemap(client, site_url):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"Sitemap: {site_url}/sitemap.xml" in body and "Disallow: /admin/" in body


def test_sitemap_index_and_sections(client, catalog, site_url):
    index = parse_sitemap(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert f"{site_url}/sitemap-provisions.xml" in sections
    assert all(section.startswith(site_url) for section in sections)

    locations = set()
    for section in sections:
        response = client.get(section.removeprefix(site_url))
        assert response.status_code == 200, section
        tree = parse_sitemap(response.content)
        locations |= {loc.text for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)}
    expected = {
        site_url + catalog.provision.get_absolute_url(),
        site_url + catalog.platform.get_absolute_url(),
        site_url + catalog.provision.document.get_absolute_url(),
        site_url + catalog.provision.clause_type.get_absolute_url(),
        site_url + "/regulations/eu-ai-act/",
        site_url + catalog.article_by_provision.get_absolute_url(),
        site_url + "/methodology/",
    }
    assert expected <= locations
    for hidden in (catalog.draft_sibling, catalog.draft_peer):
        assert site_url + hidden.get_absolute_url() not in locations
    assert site_url + catalog.unpublished_article.get_absolute_url() not in locations


def test_bad_sitemap_requests_are_404(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-provisions.xml", {"p": "abc"}).status_code == 404
    assert client.get("/sitemap-provisions.xml", {"p": "9"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/platform/no-such-platform/",
        "/platform/luma-ai/no-such-document/",
        "/platform/luma-ai/terms-of-service/no-such-provision/",
        "/platform/bad%20slug!/",
        "/platform/luma-ai/terms-of-service/%00/",
        "/platform/" + "x" * 3000 + "/",
        "/clause-types/no-such-type/",
        "/regulations/no-such-regulation/",
        "/research/no-such-article/",
        "/records/CA-P-999999/",
        "/records/CA-X-1/",
        "/records/CA-P-000001%27--/",
        "/nowhere/",
    ],
)
def test_unknown_and_malformed_addresses_get_the_friendly_404(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html and 'action="/search/"' in html


def test_record_ids_resolve_to_published_pages(client, catalog):
    provision = catalog.provision
    response = client.get(f"/records/{provision.record_id}/")
    assert response.status_code == 302 and response["Location"] == provision.get_absolute_url()
    document = provision.document
    assert client.get(f"/records/{document.record_id}/")["Location"] == (
        document.get_absolute_url()
    )
    assert catalog.draft_sibling.status == ProvisionStatus.DRAFT
    assert client.get(f"/records/{catalog.draft_sibling.record_id}/").status_code == 404


def test_500_page_renders_without_context_or_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
