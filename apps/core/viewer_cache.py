"""What a signed-in viewer's pages need of their account, kept in the cache between requests:
the organization they act for, its subscription and entitlements, their unread count, what
the organization tracks. Each app asks for its own part (`viewer_part`) and builds it when
it is not cached; a page served from the page cache (apps.core.page_cache) then costs a
member no query.

All of a viewer's parts live in one entry, read once per request in one cache round trip.
The entry remembers the generation tokens (apps.core.generations) of the viewer
(`viewer_token`) and of the plans as they were before its parts were built; a write that
changes any part replaces the viewer's token (`viewer_cache_invalidate`, called by the app
that owns the row: memberships, organizations, subscriptions, watchlists, notifications), so
the next request builds the parts again. A part's name says everything else it depends on
(the organization's id, the chosen organization, whether a subscription is in force), so
another organization or another moment is another part, never a wrong one."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from apps.core.generations import (
    generation_key,
    generation_tokens,
    generations_replace,
    generations_still_current,
)
from apps.core.page_tokens import PLANS

T = TypeVar("T")
_ENTRY_KEY_PREFIX = "viewer-parts:"


def viewer_token(user_id: int) -> str:
    return f"viewer:{user_id}"


def viewer_cache_invalidate(*, user_ids: Iterable[int]) -> None:
    """These users' cached parts are stale from now on (and again after the transaction
    commits, so a request in between cannot cache what the database held before)."""
    generations_replace(viewer_token(user_id) for user_id in user_ids)


@dataclass
class _ViewerEntry:
    """The parts as this request sees them, and the tokens they are (to be) cached under."""

    user_id: int
    tokens: dict[str, str]
    parts: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{_ENTRY_KEY_PREFIX}{self.user_id}"


def _entry_read(user_id: int) -> _ViewerEntry:
    """The viewer's cached parts if nothing they depend on changed, else none, with the
    current tokens to cache new parts under: one round trip when the tokens exist."""
    names = [viewer_token(user_id), PLANS]
    entry = _ViewerEntry(user_id, {})
    found = cache.get_many([entry.key, *(generation_key(name) for name in names)])
    cached = found.get(entry.key)
    if cached is not None and generations_still_current(cached[0], found):
        entry.tokens, entry.parts = cached
    elif all(generation_key(name) in found for name in names):
        entry.tokens = {name: found[generation_key(name)] for name in names}
    else:
        entry.tokens = generation_tokens(names)
    return entry


def viewer_part(request, part: str, build: Callable[[], T], *, user_id: int | None = None) -> T:
    """The signed-in viewer's `part`: from this request if asked before, else from the cache
    if nothing it depends on changed since, else `build()` (and cached). Memoised on the
    request either way, so the parts of one page agree. `user_id` names the viewer while the
    request's user is being loaded (by default, the request's user)."""
    enabled = settings.VIEWER_CACHE_ENABLED
    if user_id is None:
        user_id = request.user.pk
    entry = request.__dict__.get("_viewer_entry")
    # A request that signs someone in or out changes whose parts it asks for.
    if entry is None or entry.user_id != user_id:
        entry = _entry_read(user_id) if enabled else _ViewerEntry(user_id, {})
        request._viewer_entry = entry
    if part not in entry.parts:
        entry.parts[part] = build()
        if enabled:
            cache.set(entry.key, (entry.tokens, entry.parts), timeout=settings.VIEWER_CACHE_SECONDS)
    return entry.parts[part]
