"""Embedded mode for `make run`: SQLite, tasks in-process, debug pages."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
# Alert and digest emails are written as files a new user can open, one per email, in
# sent-emails/ (EMAIL_FILE_PATH) unless DJANGO_EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
