"""Tier × memo-field matrix through the API (tests/billing/test_locked_matrix.py for the
pages): no locked memo part is in any response of any catalog endpoint for a caller whose plan
lacks it."""

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import caller_on_plan
from tests.billing.test_locked_matrix import MARKERS, VISIBLE_TO
from tests.factories import ProvisionFactory
from tests.tiers import TIERS

pytestmark = pytest.mark.django_db


def _client(tier: str) -> APIClient:
    return APIClient() if tier == "visitor" else caller_on_plan(tier).client()


@pytest.mark.parametrize("tier", TIERS)
def test_every_catalog_response_carries_only_the_memo_parts_the_plan_may_read(tier):
    provision = ProvisionFactory(title="Training on customer output")
    client = _client(tier)
    platform = provision.document.platform
    urls = [
        "/api/v1/provisions/",
        f"/api/v1/provisions/{provision.record_id}/",
        f"/api/v1/platforms/{platform.slug}/",
        f"/api/v1/clause-types/{provision.clause_type.slug}/",
        "/api/v1/search/?q=Training+on+customer+output",
        *(f"/api/v1/search/?q={marker.replace('-', '+')}" for marker in MARKERS.values()),
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()

    detail = client.get(f"/api/v1/provisions/{provision.record_id}/").json()
    assert set(detail["memo"]) == VISIBLE_TO[tier]
    for field, marker in MARKERS.items():
        if field in VISIBLE_TO[tier]:
            assert marker in detail["memo"][field]
            continue
        for url, body in bodies.items():
            assert marker not in body, f"{tier} was sent {field} by {url}"
