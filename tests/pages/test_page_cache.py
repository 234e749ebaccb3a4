"""The public pages' cache (apps.core.page_cache): one copy per page and viewer variant, the
personal parts filled per request, and writes making exactly the affected copies stale."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from apps.billing.models import Plan
from apps.core import page_cache as page_cache_module
from apps.documents.models import VersionKind
from apps.provisions.models import ProvisionStatus
from apps.provisions.services import provision_transition
from tests.factories import (
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
    UserFactory,
)
from tests.pages.sample_catalog import build_sample_catalog
from tests.tiers import TIERS, client_for_tier, member_on_plan

MEMO_MARKERS = {
    "regulatory_framework": "LOCKED-REGULATORY-FRAMEWORK",
    "action_items": "LOCKED-ACTION-ITEMS",
}
VISIBLE_MARKERS = {
    "visitor": set(),
    "free": set(),
    "watcher": {"LOCKED-REGULATORY-FRAMEWORK"},
    "professional": {"LOCKED-REGULATORY-FRAMEWORK", "LOCKED-ACTION-ITEMS"},
}


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample(db, page_cache):
    return build_sample_catalog()


def public_urls(sample) -> dict[str, str]:
    provision = sample.provision
    return {
        "home": "/",
        "platform list": "/platforms/",
        "platform": provision.document.platform.get_absolute_url(),
        "document": provision.document.get_absolute_url(),
        "provision": provision.get_absolute_url(),
        "clause type list": "/clause-types/",
        "clause type": provision.clause_type.get_absolute_url(),
        "regulation list": "/regulations/",
        "regulation": provision.regulations.order_by("pk").first().get_absolute_url(),
    }


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_second_visit_is_served_from_the_cache_without_a_query(sample, django_assert_num_queries):
    client = Client()
    for url in public_urls(sample).values():
        first = get(client, url)
        with django_assert_num_queries(0):
            assert get(client, url) == first


@pytest.mark.parametrize("first_tier", TIERS)
def test_every_tier_gets_its_own_memo_whoever_filled_the_cache(sample, first_tier):
    url = sample.provision.get_absolute_url()
    clients = {tier: client_for_tier(tier) for tier in TIERS}
    order = [first_tier, *(tier for tier in TIERS if tier != first_tier)]
    for _round in range(2):  # the second round is served from the cache
        for tier in order:
            html = get(clients[tier], url)
            for marker in MEMO_MARKERS.values():
                assert (marker in html) == (marker in VISIBLE_MARKERS[tier]), (tier, marker)


def test_personal_parts_are_each_viewers_own(sample):
    url = sample.provision.get_absolute_url()
    visitor = Client()
    members = []
    for name in ("First", "Second"):
        user, organization = member_on_plan("watcher")
        organization.name = f"{name} Org"
        organization.save()
        client = Client()
        client.force_login(user)
        members.append((client, organization))
    for _round in range(2):
        visitor_html = get(visitor, url)
        assert "Log in" in visitor_html and "Log out" not in visitor_html
        assert "csrfmiddlewaretoken" not in visitor_html
        for client, organization in members:
            html = get(client, url)
            assert "Log out" in html and "Log in" not in html
            assert f"For {organization.name}:" in html
            other = next(org for _c, org in members if org != organization)
            assert other.name not in html
            # The monitor form's CSRF token is this viewer's, not a copy's.
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            assert len(token) == 64 and client.cookies["csrftoken"].value


def test_messages_are_shown_once_to_their_viewer(sample):
    client, _other = Client(), Client()
    url = sample.provision.document.platform.get_absolute_url()
    get(client, url)  # cached
    user, _organization = member_on_plan("free")
    client.force_login(user)
    client.post("/accounts/logout/")
    html = get(client, url)
    assert "signed out" in html.lower()
    assert "signed out" not in get(client, url).lower()
    assert "signed out" not in get(_other, url).lower()


def test_an_edit_shows_at_the_next_request_on_every_page_showing_it(sample):
    client = Client()
    urls = public_urls(sample)
    for url in urls.values():
        get(client, url)
    provision = sample.provision
    provision.title = "Edited title of the provision"
    provision.save()
    for name in ("platform", "document", "provision", "clause type", "regulation", "home"):
        assert "Edited title of the provision" in get(client, urls[name]), name


def test_an_edit_leaves_other_platforms_pages_cached(sample, django_assert_num_queries):
    client = Client()
    other = ProvisionFactory(title="Another platform's clause")
    other_page = other.document.platform.get_absolute_url()
    get(client, other_page)
    sample.provision.title = "Edited again"
    sample.provision.save()
    with django_assert_num_queries(0):
        get(client, other_page)


def test_a_publication_shows_at_once(sample):
    client = Client()
    platform_url = sample.provision.document.platform.get_absolute_url()
    assert "Freshly published clause" not in get(client, platform_url)
    draft = ProvisionFactory(
        document=sample.provision.document,
        clause_type=sample.provision.clause_type,
        title="Freshly published clause",
        status=ProvisionStatus.DRAFT,
        no_regulation_applies=True,
        no_agency_applies=True,
    )
    assert "Freshly published clause" not in get(client, platform_url)
    submitter, reviewer = (
        UserFactory(email=email, is_staff=True, is_superuser=True)
        for email in ("submitter@example.test", "reviewer@example.test")
    )
    provision_transition(provision=draft, action="submit", by=submitter)
    provision_transition(provision=draft, action="publish", by=reviewer)
    assert "Freshly published clause" in get(client, platform_url)
    assert "Freshly published clause" in get(client, "/")
    assert "Freshly published clause" in get(
        client, sample.provision.clause_type.get_absolute_url()
    )


def test_a_new_version_shows_on_the_document_page(sample):
    client = Client()
    document_url = sample.provision.document.get_absolute_url()
    before = get(client, document_url)
    DocumentVersionFactory(
        document=sample.provision.document,
        number=5,
        kind=VersionKind.CHANGE,
        captured_at=timezone.now(),
    )
    assert "/versions/5/" not in before
    assert ">v5</a>" in get(client, document_url)


def test_a_platform_rename_reaches_the_pages_listing_its_provisions(sample):
    client = Client()
    clause_type_url = sample.provision.clause_type.get_absolute_url()
    get(client, clause_type_url)
    platform = sample.platform
    platform.name = "Luma Renamed"
    platform.save()
    assert "Luma Renamed" in get(client, clause_type_url)


def test_a_plan_change_gives_its_members_a_fresh_copy(sample):
    url = sample.provision.get_absolute_url()
    client = client_for_tier("free")
    assert "LOCKED-ACTION-ITEMS" not in get(client, url)
    plan = Plan.objects.get(code="free")
    plan.full_memo = True
    plan.save()
    assert "LOCKED-ACTION-ITEMS" in get(client, url)


def test_search_results_are_cached_until_the_catalog_changes(sample, django_assert_num_queries):
    client = Client()
    url = "/search/?q=competing"
    first = get(client, url)
    with django_assert_num_queries(0):
        assert get(client, url) == first
    sample.provision.title = "Competing models clause, renamed"
    sample.provision.save()
    assert "Competing models clause, renamed" in get(client, url)


def test_a_missing_page_is_not_cached(db, page_cache):
    client = Client()
    assert client.get("/platform/not-yet/").status_code == 404
    PlatformFactory(slug="not-yet", name="Arrived Later")
    assert "Arrived Later" in get(client, "/platform/not-yet/")


class CountingCache:
    """The cache, counting the calls the page cache makes to it (one call, one round trip)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.calls: list[str] = []

    def __getattr__(self, name):
        method = getattr(self.wrapped, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


@pytest.fixture
def counting_cache(monkeypatch):
    counting = CountingCache(cache)
    monkeypatch.setattr(page_cache_module, "cache", counting)
    return counting


def test_a_hit_reads_the_copy_and_its_tokens_in_one_round_trip(sample, counting_cache):
    client = Client()
    for url in public_urls(sample).values():
        first = get(client, url)
        counting_cache.calls.clear()
        assert get(client, url) == first
        assert counting_cache.calls == ["get_many"], url


def test_a_wrong_remembered_dependency_guess_costs_a_round_trip_not_a_render(
    sample, counting_cache, django_assert_num_queries
):
    client = Client()
    url = sample.provision.get_absolute_url()
    first = get(client, url)
    memory = page_cache_module._dependencies
    # As if another process had re-rendered the page since, showing other things.
    for key in list(memory._names):
        memory.remember(key, ["something-else"])
    counting_cache.calls.clear()
    with django_assert_num_queries(0):
        assert get(client, url) == first
    assert counting_cache.calls == ["get_many", "get_many"]
    counting_cache.calls.clear()
    get(client, url)
    assert counting_cache.calls == ["get_many"]


def test_the_dependency_memory_forgets_the_least_recently_served_page():
    memory = page_cache_module._DependencyMemory(size=2)
    memory.remember("a", ["x"])
    memory.remember("b", ["y"])
    assert memory.get("a") == ("x",)
    memory.remember("c", ["z"])
    assert memory.get("b") == ()
    assert memory.get("a") == ("x",)
    assert memory.get("c") == ("z",)
