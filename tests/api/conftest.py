from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.models import ApiKeyScope, Organization, User
from apps.accounts.services import api_key_create
from apps.billing.models import Plan
from tests.factories import (
    AgencyFactory,
    DocumentVersionFactory,
    ProvisionFactory,
    RegulationFactory,
)
from tests.tiers import member_on_plan


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """Rate counters live in the cache, which outlives a test in the same process."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Caller:
    user: User
    organization: Organization
    secret: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.secret}")
        return client


def caller_on_plan(plan_code: str, *, scope: str = ApiKeyScope.READ_WRITE, **user_fields):
    """A member of an organization on `plan_code` holding a key. Plans without API access are
    granted it here, so the plan's other limits can be tested through the API."""
    plan = Plan.objects.get(code=plan_code)
    if not plan.api_access:
        plan.api_access = True
        plan.api_requests_per_minute = 1000
        plan.api_requests_per_day = 10000
        plan.save()
    user, organization = member_on_plan(plan_code, **user_fields)
    _key, secret = api_key_create(organization=organization, actor=user, name="test", scope=scope)
    return Caller(user=user, organization=organization, secret=secret)


@dataclass
class Catalog:
    provision: object
    version: object
    regulation: object
    agency: object


@pytest.fixture
def catalog(db) -> Catalog:
    version = DocumentVersionFactory(number=1)
    regulation = RegulationFactory(slug="gdpr")
    provision = ProvisionFactory(document=version.document, cited_version=None)
    provision.regulations.add(regulation)
    return Catalog(
        provision=provision, version=version, regulation=regulation, agency=AgencyFactory()
    )
