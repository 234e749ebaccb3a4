"""Settings of the Celery worker the worker test starts: the test settings, sending through
the SMTP server the test runs (EMAIL_HOST / EMAIL_PORT from the environment)."""

from conductatlas.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
