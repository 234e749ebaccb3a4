"""System checks of the documents app's settings."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def visibility_timeout_covers_the_lease(app_configs, **kwargs):
    """Redis redelivers an unacknowledged message after its visibility timeout: shorter than a
    snapshot lease, a task still running under its lease would be delivered to a second worker
    (which skips it, but holds a worker for nothing)."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
    timeout = options.get("visibility_timeout", 3600)
    if timeout >= settings.DOCUMENTS_FETCH_LEASE_SECONDS:
        return []
    return [
        checks.Warning(
            f"The broker's visibility timeout ({timeout} s) is shorter than the fetch lease "
            f"({settings.DOCUMENTS_FETCH_LEASE_SECONDS} s).",
            hint="Raise visibility_timeout in CELERY_BROKER_TRANSPORT_OPTIONS, or lower "
            "DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS / DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS.",
            id="documents.W001",
        )
    ]
