from dataclasses import dataclass

import pytest

from apps.accounts.models import Organization, User
from tests.tiers import member_on_plan


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes archived files to its own folder, so tests never see each other's."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
