"""Each public page runs a fixed number of queries whatever the catalog size. The catalog here has
hundreds of provisions, each with categories, regulations, agencies and FAQ entries, so any
per-row query (a missing select_related or prefetch) would blow the budget many times over."""

import pytest

from apps.monitoring.services import watchlist_add_platform
from apps.platforms.models import Platform
from apps.provisions.models import Provision
from apps.regulations.models import Regulation
from apps.site.services import search_index_rebuild
from tests.pages.bulk_catalog import build_catalog
from tests.tiers import csrf_client, member_on_plan

pytestmark = pytest.mark.django_db

# Budgets for an anonymous visitor; each is the page's current count plus a little headroom.
BUDGETS = {
    "home": 7,  # on PostgreSQL, one more: the catalog tables' size estimates
    "platform_list": 4,
    "platform_list_filtered": 4,
    "platform": 6,
    "document": 6,
    "provision": 14,
    "clause_type_list": 3,
    "clause_type": 5,
    "regulation_list": 3,
    "regulation": 5,
    "article_list": 4,
    "article": 5,
    # The vocabulary check of "did you mean", the count, the provisions and the other kinds'
    # groups (each ranked ids, then those results with their snippets), and the clause type
    # and regulation filters' choices.
    "search": 8,
    "compare": 4,
    "sitemap_index": 9,
    "sitemap_provisions": 5,
}


def page_urls() -> dict[str, str]:
    provision = (
        Provision.objects.published()
        .select_related("document__platform", "clause_type")
        .order_by("pk")
        .first()
    )
    return {
        "home": "/",
        "platform_list": "/platforms/",
        "platform_list_filtered": "/platforms/?sector=ai&severity=high&page=2",
        "platform": provision.document.platform.get_absolute_url(),
        "document": provision.document.get_absolute_url(),
        "provision": provision.get_absolute_url(),
        "clause_type_list": "/clause-types/",
        "clause_type": provision.clause_type.get_absolute_url(),
        "regulation_list": "/regulations/",
        "regulation": Regulation.objects.order_by("pk").first().get_absolute_url(),
        "article_list": "/research/",
        "article": "/research/bulk-article-0/",
        "search": "/search/?q=arbitration+licence",
        "compare": "/compare/?platforms="
        + ",".join(Platform.objects.order_by("pk").values_list("slug", flat=True)[:5]),
        "sitemap_index": "/sitemap.xml",
        "sitemap_provisions": "/sitemap-provisions.xml",
    }


def test_pages_stay_within_their_query_budgets(client, django_assert_max_num_queries):
    build_catalog(platforms=40, provisions=400)
    search_index_rebuild()  # the bulk load bypasses the saves that keep the index
    for name, url in page_urls().items():
        with django_assert_max_num_queries(BUDGETS[name]):
            response = client.get(url)
        assert response.status_code == 200, name
        assert b"LOCKED-" not in response.content, name


# Budgets for a signed-in member on a plan with provision-level monitoring, whose pages add the
# session, the organization, its plan and the "Start monitoring" control's state (resolved by
# the page's view, not during rendering) to the visitor's queries.
MEMBER_BUDGETS = {"platform": 10, "document": 11, "provision": 19}


def test_member_pages_stay_within_their_query_budgets(django_assert_max_num_queries):
    build_catalog(platforms=10, provisions=60)
    urls = page_urls()
    user, organization = member_on_plan("professional")
    for platform in Platform.objects.order_by("pk")[:5]:
        watchlist_add_platform(organization=organization, platform_ref=platform.slug)
    client = csrf_client(user)
    for name, budget in MEMBER_BUDGETS.items():
        client.get(urls[name])  # the session's first request loads what later ones reuse
        with django_assert_max_num_queries(budget):
            response = client.get(urls[name])
        assert response.status_code == 200, name


# A member's page served from the page cache runs no query: the session, the user and what
# the personal parts need of the account (organization, plan, unread count, watchlist) are
# read from the cache too (apps.core.viewer_cache).
CACHED_MEMBER_BUDGETS = {"platform": 0, "provision": 0}


def test_cached_member_pages_stay_within_their_query_budgets(
    settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    build_catalog(platforms=10, provisions=60)
    urls = page_urls()
    user, _organization = member_on_plan("watcher")
    client = csrf_client(user)
    for name, budget in CACHED_MEMBER_BUDGETS.items():
        client.get(urls[name])  # rendered and cached
        with django_assert_max_num_queries(budget):
            response = client.get(urls[name])
        assert response.status_code == 200, name
    cache.clear()
