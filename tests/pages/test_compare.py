"""The comparison page: platforms side by side by clause type, and every way a visitor can ask
for it badly (unknown names, too many, too few, junk) answered with a page and a message."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.provisions.models import ProvisionStatus, Severity
from apps.site.selectors import COMPARE_MAX_PLATFORMS, COMPARE_MAX_REQUESTED
from tests.factories import PlatformFactory, ProvisionFactory


def compare(client, platforms: str | list[str] | None = None):
    params = {} if platforms is None else {"platforms": platforms}
    response = client.get("/compare/", params)
    assert response.status_code == 200, platforms
    return response.content.decode()


def table_rows(html: str) -> list[list[str]]:
    """The comparison table's body as text, a list of cells per row (clause type first)."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


def column_names(html: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    return re.findall(
        r'<th scope="col" class="compare-table__platform">\s*<a [^>]*>([^<]+)</a>', head
    )


def test_platforms_side_by_side_by_clause_type(client, catalog):
    html = compare(client, "luma-ai,hulu")
    assert column_names(html) == ["Luma AI", "Hulu"]
    rows = table_rows(html)
    # The clause type both have comes first, each cell with its severity and provision.
    shared_type = catalog.provision.clause_type.name
    assert rows[0] == [
        f"{shared_type} 2 of 2",
        f"Medium {catalog.provision.title}",
        f"High {catalog.peer.title}",
    ]
    # Luma AI's other provision: Hulu has none of that type.
    assert rows[1] == [
        f"{catalog.sibling.clause_type.name} 1 of 2",
        f"High {catalog.sibling.title}",
        "— None published",
    ]
    assert len(rows) == 2
    assert f'href="{catalog.provision.get_absolute_url()}"' in html
    assert f'href="{catalog.peer.get_absolute_url()}"' in html
    assert f'href="{catalog.provision.clause_type.get_absolute_url()}"' in html
    assert "2 clause types across 2 platforms; 1 found in all of them." in html
    assert "DRAFT-SIBLING" not in html and "DRAFT-PEER" not in html


def test_columns_follow_the_order_asked_and_names_resolve_in_any_case(client, catalog):
    html = compare(client, "HINGE, luma ai ,hulu,Hulu")
    assert column_names(html) == ["Hinge", "Luma AI", "Hulu"]
    # Hinge's critical arbitration clause: a clause type only it has.
    assert ["Arbitration of disputes" in " ".join(row) for row in table_rows(html)].count(True) == 1
    assert "compare-unknown" not in html


def test_a_platform_without_published_provisions_is_compared_and_says_so(client, catalog):
    html = compare(client, "luma-ai,draftly")
    assert column_names(html) == ["Luma AI", "Draftly"]
    assert all(row[2] == "— None published" for row in table_rows(html))
    assert "DRAFT-PEER" not in html


def test_an_unknown_platform_is_named_and_the_rest_compared(client, catalog):
    html = compare(client, "luma-ai,no-such-platform,hulu")
    notice = re.search(r'id="compare-unknown">(.*?)</p>', html, re.S).group(1)
    assert "We do not track a platform called “no-such-platform”" in notice
    assert column_names(html) == ["Luma AI", "Hulu"]


def test_unknown_names_are_escaped_and_shortened(client, catalog):
    html = compare(client, "luma-ai,<script>alert(1)</script>," + "x" * 300)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "x" * 300 not in html and "x" * 59 + "…" in html
    assert "platforms called" in html
    assert "Choose at least 2 platforms to compare: add another to Luma AI." in html


def test_more_than_five_compares_the_first_five_and_names_the_rest(client, db):
    platforms = [PlatformFactory(name=f"Site {index}", slug=f"site-{index}") for index in range(7)]
    for platform in platforms:
        ProvisionFactory(document__platform=platform)
    html = compare(client, ",".join(platform.slug for platform in platforms))
    assert column_names(html) == [f"Site {index}" for index in range(COMPARE_MAX_PLATFORMS)]
    notice = re.search(r'id="compare-too-many">(.*?)</p>', html, re.S).group(1)
    assert "You can compare up to 5 platforms at once" in notice
    assert "left out Site 5, Site 6" in notice
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert canonical.endswith("/compare/?platforms=site-0,site-1,site-2,site-3,site-4")


def test_names_past_the_reading_limit_are_not_read(client, catalog):
    names = ["luma-ai", "hulu", *(f"unknown-{index}" for index in range(COMPARE_MAX_REQUESTED))]
    html = compare(client, ",".join(names))
    assert column_names(html) == ["Luma AI", "Hulu"]
    assert f"past the first {COMPARE_MAX_REQUESTED} were not read" in html
    assert "unknown-47" in html and f"unknown-{COMPARE_MAX_REQUESTED - 2}" not in html


@pytest.mark.parametrize("platforms", [None, "", ",,,", "luma-ai", "luma-ai,luma-ai", "\x00"])
def test_fewer_than_two_shows_the_picker_with_a_message(client, catalog, platforms):
    html = compare(client, platforms)
    assert 'id="comparison"' not in html
    assert 'name="platforms"' in html and 'list="compare-platform-options"' in html
    notice = re.search(r'id="compare-too-few">(.*?)</p>', html, re.S).group(1)
    if platforms is None:
        assert notice == "Choose 2 to 5 platforms to compare."
    else:
        assert notice.startswith("Choose at least 2 platforms to compare")
    if platforms and platforms.startswith("luma-ai"):
        assert 'value="luma-ai"' in html and "add another to Luma AI" in notice
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert canonical.endswith("/compare/")


def test_the_picker_offers_platforms_with_published_provisions(client, catalog):
    html = compare(client)
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', html)
    assert options == [("hinge", "Hinge"), ("hulu", "Hulu"), ("luma-ai", "Luma AI")]
    assert html.count('name="platforms"') == COMPARE_MAX_PLATFORMS
    assert 'method="get" action="/compare/"' in html


def test_the_picker_form_lands_on_the_shareable_address(client, catalog):
    response = client.get(
        "/compare/", {"platforms": ["luma-ai", " hulu ", "", "", "hinge,"]}, follow=False
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/compare/"
    assert parse_qs(location.query) == {"platforms": ["luma-ai,hulu,hinge"]}
    html = client.get(response["Location"]).content.decode()
    assert column_names(html) == ["Luma AI", "Hulu", "Hinge"]


def test_a_flood_of_form_fields_redirects_to_a_bounded_address(client, catalog):
    fields = ["luma-ai", "hulu", *(f"unknown-{index}" for index in range(500))]
    response = client.get("/compare/", {"platforms": fields})
    assert response.status_code == 302
    names = parse_qs(urlsplit(response["Location"]).query)["platforms"][0].split(",")
    assert names == fields[: COMPARE_MAX_REQUESTED + 1]
    html = client.get(response["Location"]).content.decode()
    assert f"past the first {COMPARE_MAX_REQUESTED} were not read" in html


def test_a_chosen_platform_keeps_its_place_in_the_picker(client, catalog):
    html = compare(client, "hulu,luma-ai")
    assert re.findall(r'name="platforms" value="([^"]*)"', html) == ["hulu", "luma-ai", "", "", ""]
    assert "<summary>Change the platforms</summary>" in html


def test_platform_and_clause_type_pages_link_to_the_comparison(client, catalog):
    platform_html = client.get(catalog.platform.get_absolute_url()).content.decode()
    assert 'href="/compare/?platforms=luma-ai"' in platform_html
    clause_type_html = client.get(catalog.provision.clause_type.get_absolute_url()).content.decode()
    link = re.search(r'href="(/compare/\?platforms=[^"]+)"', clause_type_html).group(1)
    assert link == "/compare/?platforms=hulu,luma-ai"
    assert column_names(compare(client, "hulu,luma-ai")) == ["Hulu", "Luma AI"]


def test_a_clause_type_of_one_platform_offers_no_comparison(client, db):
    provision = ProvisionFactory(severity=Severity.LOW)
    ProvisionFactory(clause_type=provision.clause_type, status=ProvisionStatus.DRAFT)
    html = client.get(provision.clause_type.get_absolute_url()).content.decode()
    assert "/compare/?platforms=" not in html


def test_the_comparison_page_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    platforms = [PlatformFactory() for _ in range(COMPARE_MAX_PLATFORMS)]
    for platform in platforms:
        for severity in Severity:
            ProvisionFactory(document__platform=platform, severity=severity)
    url = "/compare/?platforms=" + ",".join(platform.slug for platform in platforms)
    # Resolve the names, the provisions side by side, the picker's platforms.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(table_rows(response.content.decode())) == COMPARE_MAX_PLATFORMS * len(Severity)
