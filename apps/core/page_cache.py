"""Public pages served from the cache, one copy per page and per viewer variant (visitor, or a
member on a given plan), without the viewer's personal parts.

A page is rendered once with "holes" where the personal parts go (the header's account menu,
messages, the monitor button, the plan offers with their CSRF-protected forms: see the
`personal` template tag) and the copy is cached; every request, served from the cache or not,
fills the holes for its own viewer. A visitor has nothing personal but messages, so a
visitor's copy holds the rest already filled.

Invalidation is by generation tokens: each page names the things it shows
("platform:12", "clause_type:3", "home"...), the copy remembers their tokens when it was
rendered, and a write replaces the tokens of what it changed (`page_cache_invalidate`), so
exactly the copies that show it are stale at their next request. Tokens are read before
rendering, so a write during a render leaves the copy stale rather than wrong.

A hit costs one cache round trip: each process remembers which names each copy it has seen
depends on, and reads the copy and those names' tokens together. The copy is kept split at its
holes, so serving it joins strings rather than searching the page for holes."""

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.template.context import make_context
from django.template.loader import get_template, render_to_string

from apps.core.generations import (
    generation_key,
    generation_tokens,
    generations_replace,
    generations_still_current,
)

# A write to what pages show makes the copies showing it stale (apps/site/receivers.py).
page_cache_invalidate = generations_replace

HOLES_CONTEXT_FLAG = "page_cache_holes"
_HOLE = "<!--personal:{}-->"
_HOLE_PATTERN = re.compile(r"<!--personal:([\w/.\-]+)-->")
MESSAGES_TEMPLATE = "includes/_messages.html"
# How many pages' dependency names a process remembers (the least recently served forgotten
# first): a forgotten page costs one more round trip at its next hit, never a wrong copy.
DEPENDENCY_MEMORY_SIZE = 20_000


@dataclass(frozen=True)
class PageBuild:
    """What a page view builds on a cache miss: its template and context, the things it shows
    (`dependencies`, as tokens' names) and `personal_data`, the little the personal parts need
    of the page (kept with the cached copy, so a hit needs no query to fill them)."""

    template: str
    context: dict
    dependencies: Iterable[str]
    personal_data: dict = field(default_factory=dict)


def hole(template_name: str) -> str:
    return _HOLE.format(template_name)


class _DependencyMemory:
    """Which token names each page key's copy depends on, as last seen by this process: a
    guess that lets a hit read the copy and the tokens at once. A wrong guess (the page now
    shows other things) is caught by comparing with the copy's own names."""

    def __init__(self, size: int):
        self.size = size
        self._names: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        # Threaded servers (runserver) share it: a key must not be forgotten between its read
        # and its move to the recent end.
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[str, ...]:
        with self._lock:
            names = self._names.get(key, ())
            if names:
                self._names.move_to_end(key)
            return names

    def remember(self, key: str, names: Iterable[str]) -> None:
        with self._lock:
            self._names[key] = tuple(names)
            self._names.move_to_end(key)
            if len(self._names) > self.size:
                self._names.popitem(last=False)


_dependencies = _DependencyMemory(DEPENDENCY_MEMORY_SIZE)


def _read_entry(key: str):
    """The cached copy under `key` if every thing it shows is unchanged, else None; in one
    cache round trip when this process has seen the copy before."""
    remembered = _dependencies.get(key)
    found = cache.get_many([key, *(generation_key(name) for name in remembered)])
    entry = found.get(key)
    if entry is None:
        return None
    tokens = entry[1]
    if set(tokens) != set(remembered):
        _dependencies.remember(key, tokens)
        found = cache.get_many([generation_key(name) for name in tokens])
    return entry if generations_still_current(tokens, found) else None


def _page_key(request, variant: str) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    # "parts": copies are stored split at their holes; a copy stored whole by an earlier
    # release under the old "page:" keys is never read as parts.
    return f"page-parts:{variant}:{digest}"


def _split_at_holes(html: str) -> tuple[str, ...]:
    """The page as its text between holes (even places) and the holes' template names (odd)."""
    return tuple(_HOLE_PATTERN.split(html))


def _fill_holes(request, parts: tuple[str, ...], personal: Callable[[], dict]) -> str:
    filled = list(parts)
    holes = [
        index
        for index in range(1, len(parts), 2)
        if parts[index] != MESSAGES_TEMPLATE or get_messages(request)
    ]
    for index in range(1, len(parts), 2):
        filled[index] = ""
    if holes:
        templates = {index: get_template(parts[index]).template for index in holes}
        # One context for every hole, so the context processors run once per request.
        context = make_context(personal(), request)
        with context.bind_template(templates[holes[0]]):
            for index in holes:
                filled[index] = templates[index].render(context)
    return "".join(filled)


def cached_page(
    request,
    *,
    variant: str,
    build: Callable[[], PageBuild],
    personal: Callable[[dict], dict] | None = None,
    key_extra: str = "",
) -> HttpResponse:
    """The page for this request: the cached copy for its path and viewer `variant` if every
    thing it shows is unchanged, else `build()` rendered (and cached); then its personal parts
    filled in with `personal(personal_data)`. `build` may raise Http404, which is not cached.
    `key_extra` separates copies by something else the page shows (such as today's date)."""
    enabled = settings.PAGE_CACHE_ENABLED and request.method in ("GET", "HEAD")
    key = _page_key(request, f"{variant}:{key_extra}")
    entry = _read_entry(key) if enabled else None
    if entry is not None:
        parts, _tokens_then, personal_data = entry
    else:
        page = build()
        tokens = generation_tokens(sorted(set(page.dependencies)))
        parts = _split_at_holes(
            render_to_string(
                page.template, {**page.context, HOLES_CONTEXT_FLAG: True}, request=request
            )
        )
        personal_data = page.personal_data
        if enabled:
            cache.set(key, (parts, tokens, personal_data), timeout=settings.PAGE_CACHE_SECONDS)
            _dependencies.remember(key, tokens)
    return HttpResponse(
        _fill_holes(request, parts, lambda: personal(personal_data) if personal else {})
    )
