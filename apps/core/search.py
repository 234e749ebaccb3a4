"""Catalog search: parsing what people type, and one full-text filter that uses PostgreSQL's
engine there and a word-by-word match elsewhere. Free of model imports, so that models can
build their search indexes from the same expression the queries use."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import FloatField, Q, QuerySet, Value

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
SEARCH_CONFIG = "english"
_WORD = re.compile(r"\w+")
_WEIGHTS = ("A", "B", "C", "D")


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


def search_vector(fields: Sequence[str]):
    """The weighted tsvector of `fields`, most important first. A GIN index on exactly this
    expression is what lets PostgreSQL answer `full_text_search` without reading every row."""
    from django.contrib.postgres.search import SearchVector

    vector = SearchVector(fields[0], weight=_WEIGHTS[0], config=SEARCH_CONFIG)
    for field, weight in zip(fields[1:], _WEIGHTS[1:], strict=False):
        vector += SearchVector(field, weight=weight, config=SEARCH_CONFIG)
    return vector


def full_text_search(queryset: QuerySet, *, fields: Sequence[str], search: SearchInput) -> QuerySet:
    """Rows of `queryset` matching `search` in any of `fields` (most important first), annotated
    with `search_rank`. PostgreSQL ranks with its full-text engine (websearch syntax, so quotes
    and operators typed by users are understood, never a syntax error); other databases get
    every word matched somewhere in the fields, unranked."""
    if search.is_empty:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        vector = search_vector(fields)
        query = SearchQuery(search.text, search_type="websearch", config=SEARCH_CONFIG)
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
