"""Rates: per plan (minute and day, plan data) for keys, per IP address without a key; 429 with
Retry-After once a window is used up."""

import pytest
from rest_framework.test import APIClient

from apps.billing.models import Plan
from tests.api.conftest import caller_on_plan

pytestmark = pytest.mark.django_db


def test_a_key_gets_its_plans_rate_per_minute():
    caller = caller_on_plan("professional")
    Plan.objects.filter(code="professional").update(api_requests_per_minute=3)
    client = caller.client()

    statuses = [client.get("/api/v1/platforms/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/platforms/")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["extra"]["retry_after"] == int(refused["Retry-After"])


def test_the_daily_rate_applies_too():
    caller = caller_on_plan("professional")
    Plan.objects.filter(code="professional").update(api_requests_per_day=2)
    client = caller.client()

    statuses = [client.get("/api/v1/platforms/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert int(client.get("/api/v1/platforms/")["Retry-After"]) > 60


def test_keys_of_one_organization_share_a_count_that_other_organizations_do_not():
    first = caller_on_plan("professional", email="a@example.test")
    second = caller_on_plan("professional", email="b@example.test")
    Plan.objects.filter(code="professional").update(api_requests_per_minute=1)

    assert first.client().get("/api/v1/platforms/").status_code == 200
    assert first.client().get("/api/v1/platforms/").status_code == 429
    assert second.client().get("/api/v1/platforms/").status_code == 200


def test_anonymous_callers_are_counted_per_ip(settings, db):
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = 2
    client = APIClient()

    statuses = [
        client.get("/api/v1/platforms/", REMOTE_ADDR="203.0.113.5").status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/platforms/", REMOTE_ADDR="203.0.113.6").status_code == 200
