"""Reads shared by several public pages: the home page's figures and recent changes, search-input
parsing and the database-specific full-text filter."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, FloatField, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.documents.models import DocumentVersion, VersionKind
from apps.platforms.models import Platform
from apps.provisions.models import Provision

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
_WORD = re.compile(r"\w+")


def count_subquery(
    queryset: QuerySet, *, group_by: str, counted: str = "pk", distinct: bool = False
) -> Coalesce:
    """COUNT of `queryset` as an annotation, `queryset` being already filtered on an OuterRef
    that `group_by` names. A subquery, unlike Count() over joins, does not multiply with other
    counts on the same row."""
    counts = (
        queryset.order_by()
        .values(group_by)
        .annotate(n=Count(counted, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class CatalogFigures:
    platforms: int
    documents: int
    provisions: int


def catalog_figures() -> CatalogFigures:
    platform_counts = Platform.objects.aggregate(
        platforms=Count("pk", distinct=True), documents=Count("documents", distinct=True)
    )
    return CatalogFigures(
        platforms=platform_counts["platforms"],
        documents=platform_counts["documents"],
        provisions=Provision.objects.published().count(),
    )


def recent_changes(*, limit: int = 8) -> QuerySet[DocumentVersion]:
    """The latest documented changes across the catalog, newest first, without their text."""
    return (
        DocumentVersion.objects.filter(kind=VersionKind.CHANGE)
        .select_related("document__platform")
        .only(
            "number",
            "captured_at",
            "document__title",
            "document__slug",
            "document__platform__name",
            "document__platform__slug",
        )
        .order_by("-captured_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class SearchInput:
    text: str
    terms: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.terms


def search_input_parse(raw: str) -> SearchInput:
    """Make any user-typed query safe to hand to the database: control characters (NUL bytes
    break PostgreSQL string literals) are dropped, the length is capped, and the words are kept
    for the fallback matcher. A query without a single word is empty, not an error."""
    printable = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch
        for ch in raw[: MAX_QUERY_LENGTH * 2]
    )
    text = " ".join(printable.split())[:MAX_QUERY_LENGTH]
    terms = tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:MAX_QUERY_TERMS]
    return SearchInput(text=text, terms=terms)


_WEIGHTS = ("A", "B", "C", "D")


def full_text_search(queryset: QuerySet, *, fields: Sequence[str], search: SearchInput) -> QuerySet:
    """Rows of `queryset` matching `search` in any of `fields` (most important first), annotated
    with `search_rank`. PostgreSQL ranks with its full-text engine (websearch syntax, so quotes
    and operators typed by users are understood, never a syntax error); other databases get
    every word matched somewhere in the fields, unranked."""
    if search.is_empty:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(fields[0], weight=_WEIGHTS[0], config="english")
        for field, weight in zip(fields[1:], _WEIGHTS[1:], strict=False):
            vector += SearchVector(field, weight=weight, config="english")
        query = SearchQuery(search.text, search_type="websearch", config="english")
        return queryset.annotate(
            search_document=vector, search_rank=SearchRank(vector, query)
        ).filter(search_document=query)
    matches = Q()
    for term in search.terms:
        term_anywhere = Q()
        for field in fields:
            term_anywhere |= Q(**{f"{field}__icontains": term})
        matches &= term_anywhere
    return queryset.filter(matches).annotate(search_rank=Value(0.0, output_field=FloatField()))
