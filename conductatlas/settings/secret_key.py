"""The secret key of a checkout that runs without DJANGO_SECRET_KEY (`make run`): random, made
once, and kept in a git-ignored file, so sessions survive a restart and no two checkouts share a
key."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def checkout_secret_key(path: Path) -> str:
    """The key kept in ``path``, written there (readable by its owner only) on first use."""
    if not path.exists():
        _write_once(path, secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} holds no secret key: delete it to have one made")
    return key


def _write_once(path: Path, key: str) -> None:
    # Written aside, then linked into place: processes starting at once (gunicorn's workers)
    # all end up reading the one key that got there first, never a half-written file.
    draft = path.with_name(f"{path.name}.{os.getpid()}.draft")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
