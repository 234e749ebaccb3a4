import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.provisions.models import ProvisionAgency
from tests.factories import (
    AgencyFactory,
    DocumentVersionFactory,
    ProvisionFactory,
    RegulationFactory,
    UserFactory,
)


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


CURATORS = "Curators"


@pytest.fixture
def curators_group(db):
    """The group the data migration creates. A transactional test elsewhere flushes the
    database (and with it migration data), so the group is rebuilt by the same code if gone."""
    group = Group.objects.filter(name=CURATORS).first()
    if group is None:
        for module, function in (
            ("apps.provisions.migrations.0009_curators_group", "create_curators_group"),
            ("apps.assist.migrations.0003_curators_triage_suggestions", "add_triage_rights"),
        ):
            getattr(importlib.import_module(module), function)(django_apps, None)
        group = Group.objects.get(name=CURATORS)
    return group


@pytest.fixture
def make_curator(curators_group):
    """A staff member (not a superuser) in the Curators group: how curators are meant to work."""

    def make(email: str):
        user = UserFactory(email=email, is_staff=True)
        user.groups.add(curators_group)
        return user

    return make


@pytest.fixture
def submitter(make_curator):
    return make_curator("submitter@conductatlas.test")


@pytest.fixture
def reviewer(make_curator):
    return make_curator("reviewer@conductatlas.test")


@pytest.fixture
def ready_provision(cited_provision):
    """A draft with everything publishing asks for: analysis and memo (from the factory), a
    regulation and an agency."""
    cited_provision.regulations.add(RegulationFactory())
    ProvisionAgency.objects.create(provision=cited_provision, agency=AgencyFactory())
    return cited_provision
