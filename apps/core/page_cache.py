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
rendering, so a write during a render leaves the copy stale rather than wrong."""

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string

HOLES_CONTEXT_FLAG = "page_cache_holes"
_HOLE = "<!--personal:{}-->"
_HOLE_PATTERN = re.compile(r"<!--personal:([\w/.\-]+)-->")
MESSAGES_TEMPLATE = "includes/_messages.html"
_GENERATION_KEY_PREFIX = "page-generation:"


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


def _tokens(names: list[str]) -> dict[str, str]:
    """The current token of each name, giving a fresh one to names without (never seen, or
    evicted: a fresh token then makes every copy that remembered the old one stale)."""
    keys = {_GENERATION_KEY_PREFIX + name: name for name in names}
    found = cache.get_many(keys)
    tokens = {keys[key]: value for key, value in found.items()}
    for key, name in keys.items():
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            tokens[name] = cache.get(key)
    return tokens


def _still_current(tokens: dict[str, str]) -> bool:
    keys = {_GENERATION_KEY_PREFIX + name: token for name, token in tokens.items()}
    current = cache.get_many(list(keys))
    return all(current.get(key) == token for key, token in keys.items())


def page_cache_invalidate(names: Iterable[str]) -> None:
    """Makes every cached page showing any of these things stale. Done at once and again
    after the transaction commits: a request between the two would otherwise cache what the
    database held before the write under the new token."""
    keys = sorted({_GENERATION_KEY_PREFIX + name for name in names})
    if not keys:
        return

    def replace_tokens() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)

    replace_tokens()
    transaction.on_commit(replace_tokens)


def _page_key(request, variant: str) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"page:{variant}:{digest}"


def _fill_holes(request, html: str, personal: Callable[[], dict]) -> str:
    context: dict | None = None

    def filled(match: re.Match) -> str:
        nonlocal context
        template_name = match.group(1)
        if template_name == MESSAGES_TEMPLATE and not get_messages(request):
            return ""
        if context is None:
            context = personal()
        return render_to_string(template_name, context, request=request)

    return _HOLE_PATTERN.sub(filled, html)


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
    entry = cache.get(key) if enabled else None
    if entry is not None and _still_current(entry[1]):
        html, _tokens_then, personal_data = entry
    else:
        page = build()
        tokens = _tokens(sorted(set(page.dependencies)))
        html = render_to_string(
            page.template, {**page.context, HOLES_CONTEXT_FLAG: True}, request=request
        )
        personal_data = page.personal_data
        if enabled:
            cache.set(key, (html, tokens, personal_data), timeout=settings.PAGE_CACHE_SECONDS)
    return HttpResponse(
        _fill_holes(request, html, lambda: personal(personal_data) if personal else {})
    )
