"""Reads of the platform catalog on its own; pages that add documents or provisions to a
platform read through apps/site/selectors.py, which stands above them."""

from apps.core.search import SearchInput, full_text_search
from apps.platforms.models import Platform

# What platform search reads, most important first (migration 0002 indexes it on PostgreSQL).
PLATFORM_SEARCH_FIELDS = ("name", "description")


def platform_search(*, search: SearchInput, limit: int = 10) -> list[Platform]:
    """The best-matching platforms by name and description (a short list shown above the
    provision results)."""
    matches = full_text_search(
        Platform.objects.listed(), fields=PLATFORM_SEARCH_FIELDS, search=search
    )
    return list(matches.order_by("-search_rank", "name")[:limit])
