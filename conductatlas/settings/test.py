"""Settings for the test suite. DATABASE_URL still decides SQLite or PostgreSQL."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker or beat process the suite starts turns this off to use the real broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Classifying every version the other tests record would only slow them; the assist tests turn
# it on, and never read a model file a developer trained in the checkout.
CLAUSE_SUGGESTIONS_ENABLED = False
CLAUSE_MODEL_PATH = Path("/nonexistent/clause-model.npz")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/conductatlas-test-media")  # noqa: S108
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Off, so that tests which change the catalog without its saves (bulk updates) see the change;
# the page cache's own tests switch it on.
PAGE_CACHE_ENABLED = False
# Each test empties the cache (tests/conftest.py): always the process's own, never a Redis
# database that CACHE_URL may name and others may share.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
