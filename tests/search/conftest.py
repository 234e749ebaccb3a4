import pytest
from django.db import transaction
from django.test import override_settings

from apps.catalog_demo.loader import demo_catalog_load


@pytest.fixture(scope="module")
def demo_catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo catalog, loaded once for a module's tests inside a transaction rolled back
    afterwards (each test still runs in its own savepoint)."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
        transaction.atomic(),
    ):
        demo_catalog_load()
        yield
        transaction.set_rollback(True)
