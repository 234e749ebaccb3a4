import pytest
from django.db import connection


@pytest.fixture(scope="session")
def live_site(django_db_setup, live_server, django_db_blocker):
    """pytest-django's live server, ended cleanly: a request thread of the server can keep an
    idle database session open after the browser has gone, and PostgreSQL refuses to drop the
    test database while any session is open on it."""
    yield live_server
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
