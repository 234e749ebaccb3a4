from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test.client import ClientHandler
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Organization, User
from tests.tiers import member_on_plan


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes archived files to its own folder, so tests never see each other's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused across tests' rolled-back
    transactions, so a member's cached account data (apps.core.viewer_cache) of one test
    would otherwise answer for another test's member with the same id."""
    cache.clear()


@pytest.fixture(autouse=True)
def _organization_scopes(monkeypatch):
    """Test code sets up and inspects any organization's private data, so it runs with the
    organization scope disabled. Each request through the test client runs as in production:
    with no scope until the code under test activates one, so a page or service that forgets the
    organization raises ScopeError here. (The live server serves from its own threads, which
    start with no scope anyway.)"""
    handle = ClientHandler.__call__

    def handle_without_scope(self, environ):
        with scope():
            return handle(self, environ)

    monkeypatch.setattr(ClientHandler, "__call__", handle_without_scope)
    with scopes_disabled():
        yield


@dataclass
class TwoOrgs:
    """Two tenants that must never see each other's data."""

    org_a: Organization
    owner_a: User
    org_b: Organization
    owner_b: User


@pytest.fixture
def two_orgs(db) -> TwoOrgs:
    owner_a, org_a = member_on_plan("professional", email="owner-a@example.test")
    owner_b, org_b = member_on_plan("professional", email="owner-b@example.test")
    return TwoOrgs(org_a=org_a, owner_a=owner_a, org_b=org_b, owner_b=owner_b)
