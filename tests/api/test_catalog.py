"""The public catalog endpoints: content, filters naming a bad parameter, pagination, the
error shape, ETags and query budgets."""

import pytest
from rest_framework.test import APIClient

from apps.documents.models import ChangeEvent
from apps.provisions.models import Severity
from tests.factories import DocumentVersionFactory, PlatformFactory, ProvisionFactory

pytestmark = pytest.mark.django_db


def test_platforms_documents_and_provisions_are_listed(catalog):
    client = APIClient()
    platform = catalog.provision.document.platform

    platforms = client.get("/api/v1/platforms/").json()
    assert [p["slug"] for p in platforms["results"]] == [platform.slug]

    document = client.get(f"/api/v1/documents/{catalog.provision.document.record_id}/").json()
    assert document["platform"] == platform.slug

    provisions = client.get("/api/v1/provisions/").json()["results"]
    assert provisions[0]["record_id"] == catalog.provision.record_id
    assert provisions[0]["document"] == catalog.provision.document.record_id


def test_provision_filters(catalog):
    other = ProvisionFactory(severity=Severity.CRITICAL)
    client = APIClient()

    def record_ids(**params):
        response = client.get("/api/v1/provisions/", params)
        assert response.status_code == 200, response.json()
        return [p["record_id"] for p in response.json()["results"]]

    assert record_ids(platform=other.document.platform.slug) == [other.record_id]
    assert record_ids(clause_type=other.clause_type.slug) == [other.record_id]
    assert record_ids(severity="critical") == [other.record_id]
    assert record_ids(severity="4") == [other.record_id]
    assert record_ids(regulation="gdpr") == [catalog.provision.record_id]
    assert record_ids(changed_since="2999-01-01") == []
    assert len(record_ids(changed_since="2000-01-01T00:00:00Z")) == 2


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("platform", "no-such-platform"),
        ("clause_type", "nope"),
        ("severity", "apocalyptic"),
        ("regulation", "nope"),
        ("changed_since", "last tuesday"),
        ("changed_since", "2026-13-45"),
        ("page", "999"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(catalog, parameter, value):
    response = APIClient().get("/api/v1/provisions/", {parameter: value})

    assert response.status_code == 400
    body = response.json()
    assert body["extra"] == {"parameter": parameter}
    assert body["message"]


def test_unknown_ids_are_404_in_the_error_shape(catalog):
    client = APIClient()
    for url in (
        "/api/v1/platforms/nope/",
        "/api/v1/documents/CA-D-99999/",
        f"/api/v1/documents/{catalog.version.document.record_id}/versions/99/",
        "/api/v1/provisions/CA-P-999999/",
        "/api/v1/clause-types/nope/",
        "/api/v1/regulations/nope/",
        "/api/v1/agencies/nope/",
        "/api/v1/no-such-endpoint/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == {"message", "extra"}, url


def test_page_sizes_are_capped(settings):
    settings.API_MAX_PAGE_SIZE = 3
    PlatformFactory.create_batch(5)

    page = APIClient().get("/api/v1/platforms/", {"page_size": 1000}).json()

    assert len(page["results"]) == 3
    assert page["count"] == 5


def test_versions_are_cursor_paginated_newest_first(db):
    first = DocumentVersionFactory(number=1)
    for number in (2, 3):
        DocumentVersionFactory(document=first.document, number=number)
    url = f"/api/v1/documents/{first.document.record_id}/versions/"
    client = APIClient()

    page = client.get(url, {"page_size": 2}).json()
    assert [v["number"] for v in page["results"]] == [3, 2]
    following = client.get(page["next"]).json()
    assert [v["number"] for v in following["results"]] == [1]
    assert following["next"] is None

    bad = client.get(url, {"cursor": "garbage"})
    assert bad.status_code == 400
    assert bad.json()["extra"] == {"parameter": "cursor"}


def test_version_detail_carries_text_and_hashes(catalog):
    version = catalog.version
    url = f"/api/v1/documents/{version.document.record_id}/versions/{version.number}/"

    body = APIClient().get(url).json()

    assert body["text"] == version.text
    assert body["text_sha256"] == version.text_sha256


@pytest.mark.parametrize(
    "url",
    ["/api/v1/platforms/", "/api/v1/provisions/", "/api/v1/regulations/gdpr/"],
)
def test_conditional_get_answers_304_to_a_known_etag(catalog, url):
    client = APIClient()
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_search_finds_provisions_and_needs_words(catalog):
    client = APIClient()
    found = client.get("/api/v1/search/", {"q": catalog.provision.title}).json()
    assert catalog.provision.record_id in [p["record_id"] for p in found["provisions"]]

    empty = client.get("/api/v1/search/", {"q": "  !!! "})
    assert empty.status_code == 400
    assert empty.json()["extra"] == {"parameter": "q"}


def test_list_endpoints_keep_a_fixed_query_count(django_assert_max_num_queries, db):
    for _ in range(6):
        ProvisionFactory()
    client = APIClient()
    for url in ("/api/v1/provisions/", "/api/v1/platforms/", "/api/v1/documents/"):
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


def test_change_events_list_changes_newest_first_with_filters(db):
    first = DocumentVersionFactory(number=1)
    second = DocumentVersionFactory(document=first.document, number=2)
    elsewhere = DocumentVersionFactory(number=1)
    ChangeEvent.objects.create(document=first.document, version=first)
    ChangeEvent.objects.create(
        document=first.document, version=second, previous_version=first, summary={"x": 1}
    )
    ChangeEvent.objects.create(document=elsewhere.document, version=elsewhere)
    client = APIClient()

    changes = client.get(
        "/api/v1/changes/", {"platform": first.document.platform.slug, "page_size": 1}
    ).json()
    assert [(c["number"], c["previous_number"]) for c in changes["results"]] == [(2, 1)]
    older = client.get(changes["next"]).json()["results"]
    assert [(c["number"], c["previous_number"]) for c in older] == [(1, None)]
    assert client.get("/api/v1/changes/", {"changed_since": "2999-01-01"}).json()["results"] == []
