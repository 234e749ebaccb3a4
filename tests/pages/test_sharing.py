"""Sharing: every public page carries Open Graph and Twitter card tags that repeat its own title,
description and canonical URL; pages with a breadcrumb trail carry it as BreadcrumbList JSON-LD;
provision pages offer share links that work without JavaScript."""

import json
import re
import struct
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import resolve, reverse

from apps.documents.models import ChangeEvent
from tests.pages.test_seo_and_errors import SITEMAP_NS, parse_sitemap

SOCIAL_CARD = "img/social-card.png"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://atlas.example"
    return settings.SITE_URL


def public_urls(client, catalog, site_url) -> list[str]:
    """Every page the sitemaps list, and the public pages they do not (queries, forms, the
    archive's version, diff and change pages)."""
    urls = set()
    index = parse_sitemap(client.get("/sitemap.xml").content)
    for section in index.findall("sm:sitemap/sm:loc", SITEMAP_NS):
        tree = parse_sitemap(client.get(section.text.removeprefix(site_url)).content)
        urls |= {
            loc.text.removeprefix(site_url) for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)
        }
    document = catalog.provision.document
    slugs = {"platform_slug": catalog.platform.slug, "document_slug": document.slug}
    change = ChangeEvent.objects.filter(document=document).order_by("-pk").first()
    urls |= {
        "/",
        "/search/?q=training",
        "/compare/",
        "/compare/?platforms=luma-ai,hulu",
        "/pricing/",
        "/data/",
        "/accounts/login/",
        "/accounts/signup/",
        reverse("documents:version_detail", kwargs={**slugs, "number": 3}),
        reverse("documents:version_diff", kwargs={**slugs, "from_number": 2, "to_number": 3}),
        reverse("changes:detail", kwargs={"change_event_id": change.pk}),
    }
    return sorted(urls)


def meta(html: str, attribute: str, name: str) -> str:
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert len(found) == 1, f"{name}: {found}"
    return unescape(found[0])


def test_every_public_page_has_open_graph_and_twitter_cards(client, catalog, site_url):
    urls = public_urls(client, catalog, site_url)
    assert len(urls) >= 20
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        title = unescape(re.search(r"<title>(.+?) · ConductAtlas</title>", html, re.S).group(1))
        description = meta(html, "name", "description")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)

        assert meta(html, "property", "og:title") == title, url
        assert meta(html, "property", "og:description") == description, url
        assert meta(html, "property", "og:url") == unescape(canonical), url
        assert meta(html, "property", "og:site_name") == "ConductAtlas"
        assert meta(html, "property", "og:image").startswith(f"{site_url}/static/"), url
        assert meta(html, "property", "og:image").endswith(".png"), url
        assert meta(html, "name", "twitter:card") == "summary_large_image"
        assert meta(html, "name", "twitter:title") == title, url
        assert meta(html, "name", "twitter:description") == description, url
        assert meta(html, "name", "twitter:image") == meta(html, "property", "og:image")
        is_provision = resolve(urlsplit(url).path).view_name == "platforms:provision_detail"
        expected_type = "article" if is_provision else "website"
        assert meta(html, "property", "og:type") == expected_type, url


def test_the_social_card_is_a_1200_by_630_png():
    path = finders.find(SOCIAL_CARD)
    assert path, f"static/{SOCIAL_CARD} is missing"
    with open(path, "rb") as image:
        header = image.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1200, 630)


def breadcrumb_json_ld(html: str) -> dict:
    blocks = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    trails = [block for block in blocks if block["@type"] == "BreadcrumbList"]
    assert len(trails) == 1
    return trails[0]


def visible_trail(html: str) -> list[tuple[str, str | None]]:
    nav = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    trail = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S):
        link = re.search(r'<a href="([^"]+)">(.*?)</a>', item)
        if link:
            trail.append((unescape(link.group(2)), link.group(1)))
        else:
            trail.append((unescape(item.strip()), None))
    return trail


def test_breadcrumb_json_ld_matches_the_visible_trail(client, catalog, site_url):
    provision = catalog.provision
    document = provision.document
    pages = {
        catalog.platform.get_absolute_url(): ["Platforms", "Luma AI"],
        document.get_absolute_url(): ["Platforms", "Luma AI", document.title],
        provision.get_absolute_url(): ["Platforms", "Luma AI", document.title, provision.title],
        provision.clause_type.get_absolute_url(): ["Clause types", provision.clause_type.name],
        "/regulations/eu-ai-act/": ["Regulations", "EU AI Act"],
        catalog.article_by_provision.get_absolute_url(): [
            "Research",
            catalog.article_by_provision.title,
        ],
        "/compare/?platforms=luma-ai,hulu": ["Platforms", "Compare"],
    }
    for url, names in pages.items():
        html = client.get(url).content.decode()
        data = breadcrumb_json_ld(html)
        assert data["@context"] == "https://schema.org"
        items = data["itemListElement"]
        assert [item["@type"] for item in items] == ["ListItem"] * len(names)
        assert [item["position"] for item in items] == list(range(1, len(names) + 1))
        assert [item["name"] for item in items] == names, url
        trail = visible_trail(html)
        assert [name for name, _path in trail] == names, url
        # Each page above links where its JSON-LD item points; the last item is this page.
        for item, (_name, path) in zip(items[:-1], trail[:-1], strict=True):
            assert item["item"] == site_url + path, url
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
        assert items[-1]["item"] == unescape(canonical) and trail[-1][1] is None, url


def test_breadcrumb_json_ld_cannot_break_out_of_its_script(client, catalog):
    catalog.platform.name = "</script><script>alert(1)</script>"
    catalog.platform.save()
    html = client.get(catalog.platform.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert breadcrumb_json_ld(html)["itemListElement"][1]["name"] == catalog.platform.name


def test_provision_pages_offer_share_links_that_work_without_javascript(client, catalog, site_url):
    provision = catalog.provision
    html = client.get(provision.get_absolute_url()).content.decode()
    page_url = site_url + provision.get_absolute_url()

    x_link = unescape(re.search(r'href="(https://x\.com/intent/tweet\?[^"]+)"', html).group(1))
    assert parse_qs(urlsplit(x_link).query) == {
        "text": [f"Luma AI: {provision.title}"],
        "url": [page_url],
    }
    linkedin = re.search(r'href="(https://www\.linkedin\.com/sharing/share-offsite/\?[^"]+)"', html)
    assert parse_qs(urlsplit(unescape(linkedin.group(1))).query) == {"url": [page_url]}
    # Without JavaScript the address sits in a read-only field; the copy button stays hidden
    # until share.js finds a clipboard to use.
    assert re.search(rf'<input id="share-url" [^>]*value="{re.escape(page_url)}" readonly>', html)
    assert re.search(r'<button type="button" [^>]*data-copy-target="share-url" hidden>', html)
    assert re.search(r'<script src="/static/js/share\.js" defer></script>', html)
    assert finders.find("js/share.js")


def test_share_text_is_encoded_not_escaped_twice(client, catalog):
    catalog.provision.title = 'Fees & "refunds"'
    catalog.provision.save()
    html = client.get(catalog.provision.get_absolute_url()).content.decode()
    x_link = unescape(re.search(r'href="(https://x\.com/intent/tweet\?[^"]+)"', html).group(1))
    assert parse_qs(urlsplit(x_link).query)["text"] == ['Luma AI: Fees & "refunds"']
    assert meta(html, "property", "og:title").startswith('Fees & "refunds" · Luma AI')
