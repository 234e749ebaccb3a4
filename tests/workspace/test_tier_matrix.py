"""Tier × workspace matrix: every new page and file answers each tier as its plan allows. Pages
without the feature show their teaser (200) with the upgrade path; files without it are a 403
page, never a file; organization pages send a visitor to log in."""

import pytest
from django.urls import reverse

from apps.monitoring.models import WatchedPlatform
from apps.workspace import org_urls, urls
from tests.pages.sample_catalog import build_sample_catalog
from tests.tiers import TIERS, csrf_client, member_on_plan

pytestmark = pytest.mark.django_db

PDF = "application/pdf"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = "text/html"

# name → (is an organization URL, what Professional receives)
WORKSPACE_URLS = {
    "provision_memo_pdf": (False, PDF),
    "platform_memo_pdf": (False, PDF),
    "platform_timeline": (False, HTML),
    "platform_timeline_csv": (False, CSV),
    "provision_timeline": (False, HTML),
    "provision_timeline_csv": (False, CSV),
    "watchlist_memo_pdf": (True, PDF),
    "mapping": (True, HTML),
    "mapping_csv": (True, CSV),
    "mapping_xlsx": (True, XLSX),
}
PAGES = {"platform_timeline", "provision_timeline", "mapping"}


def _url(name, catalog, organization) -> str:
    provision = catalog.provision
    if WORKSPACE_URLS[name][0]:
        return reverse(f"workspace_org:{name}", kwargs={"org_slug": organization.slug})
    if name.startswith("platform_"):
        return reverse(f"workspace:{name}", kwargs={"platform_slug": catalog.platform.slug})
    return reverse(
        f"workspace:{name}",
        kwargs={
            "platform_slug": catalog.platform.slug,
            "document_slug": provision.document.slug,
            "provision_slug": provision.slug,
        },
    )


def test_the_matrix_covers_every_workspace_url():
    names = {pattern.name for pattern in [*urls.urlpatterns, *org_urls.urlpatterns]}
    assert names == set(WORKSPACE_URLS)


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("name", sorted(WORKSPACE_URLS))
def test_each_workspace_url_answers_each_tier_as_its_plan_allows(tier, name):
    catalog = build_sample_catalog()
    if tier == "visitor":
        client, organization = csrf_client(), member_on_plan("professional")[1]
    else:
        user, organization = member_on_plan(tier)
        client = csrf_client(user)
    WatchedPlatform.objects.create(organization=organization, platform=catalog.platform)
    is_org_url, professional_gets = WORKSPACE_URLS[name]

    response = client.get(_url(name, catalog, organization))

    content_type = response.get("Content-Type", "")
    if tier == "visitor" and is_org_url:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif tier == "professional":
        assert response.status_code == 200
        assert content_type.startswith(professional_gets)
    elif name in PAGES:
        assert response.status_code == 200 and content_type.startswith(HTML)
        html = response.content.decode()
        assert 'id="feature-teaser"' in html and 'data-plan="professional"' in html
    else:
        assert response.status_code == 403
        assert content_type.startswith(HTML)
        assert 'id="feature-teaser"' in response.content.decode()


@pytest.mark.parametrize("tier", TIERS)
def test_the_provision_page_offers_the_pdf_only_to_plans_that_have_it(tier):
    catalog = build_sample_catalog()
    client = csrf_client(None if tier == "visitor" else member_on_plan(tier)[0])
    html = client.get(catalog.provision.get_absolute_url()).content.decode()
    pdf_url = _url("provision_memo_pdf", catalog, None)
    assert _url("provision_timeline", catalog, None) in html
    if tier == "professional":
        assert pdf_url in html and "🔒 PDF" not in html
    else:
        assert pdf_url not in html and "🔒 PDF" in html
