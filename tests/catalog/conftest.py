import pytest
from django.contrib.auth import get_user_model

from tests.factories import DocumentVersionFactory, ProvisionFactory


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser(
        email="curator@conductatlas.test", password="a long curator password"
    )


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def cited_provision(db):
    """A draft provision whose clause is quoted from the version it cites."""
    version = DocumentVersionFactory(
        text="# Terms\n\nWe may use your content to train our models.\nYou can opt out."
    )
    return ProvisionFactory(
        document=version.document,
        cited_version=version,
        clause_text="We may use your content to train our models.",
        status="draft",
        published_at=None,
    )
