import pytest

from tests.alerts.smtp import SmtpServer


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_TIMEOUT = 10
        yield server.handler


@pytest.fixture
def send_alerts(django_capture_on_commit_callbacks):
    """Runs the alert task of a change event as the receiver queues it, including the sends
    it queues after commit (which a test's never-committed transaction would hold back)."""
    from apps.monitoring.tasks import change_event_alerts

    def run(change_event_id: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            change_event_alerts(change_event_id)

    return run
