"""Generation tokens: how cached things learn that what they were built from has changed.

Something cached names what it was built from ("platform:12", "viewer:7"...) and remembers
each name's token as it was read before building; a write replaces the tokens of what it
changed (`generations_replace`), so every copy built from it is stale at its next read.
Reading the tokens before building means a write during a build leaves the copy stale rather
than wrong. Used by the public pages' cache (apps.core.page_cache) and the signed-in viewer's
cached account data (apps.core.viewer_cache)."""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

_KEY_PREFIX = "page-generation:"


def generation_key(name: str) -> str:
    """The cache key holding `name`'s current token."""
    return _KEY_PREFIX + name


def generation_tokens(names: Iterable[str]) -> dict[str, str]:
    """The current token of each name, giving a fresh one to names without (never seen, or
    evicted: a fresh token then makes every copy that remembered the old one stale)."""
    keys = {generation_key(name): name for name in names}
    found = cache.get_many(keys)
    tokens = {keys[key]: value for key, value in found.items()}
    for key, name in keys.items():
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            tokens[name] = cache.get(key)
    return tokens


def generations_still_current(tokens: dict[str, str], current: dict[str, str]) -> bool:
    """Whether every token a copy remembered is still the current one (`current`, as read
    from the cache by `generation_key`)."""
    return all(current.get(generation_key(name)) == token for name, token in tokens.items())


def generations_replace(names: Iterable[str]) -> None:
    """Makes everything built from any of these names stale. Done at once and again after
    the transaction commits: a read between the two would otherwise cache what the database
    held before the write under the new token."""
    keys = sorted({generation_key(name) for name in names})
    if not keys:
        return

    def replace_tokens() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)

    replace_tokens()
    transaction.on_commit(replace_tokens)
