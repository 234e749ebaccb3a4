"""Embedded mode for `make run`: served the way a small production is (DEBUG off, friendly error
pages, static files collected and served by WhiteNoise) with SQLite, tasks in-process and files on
the local disk. `make dev` runs the same settings with DJANGO_DEBUG=true."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .secret_key import checkout_secret_key

SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or checkout_secret_key(
    Path(env("DJANGO_SECRET_KEY_FILE", default=str(BASE_DIR / ".django_secret_key")))
)

# `make run` collects static files here (git-ignored) and WhiteNoise serves them compressed, with
# hashed names and long cache lifetimes. With DEBUG on (`make dev`) they come from the apps.
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
