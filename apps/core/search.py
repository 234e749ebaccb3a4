"""Catalog search: parsing what people type, one full-text filter that uses PostgreSQL's engine
there and a word-by-word match elsewhere, and the migration operation that gives PostgreSQL
the indexes behind it. Free of model imports, so that migrations can import it."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.migrations import AddIndex
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
    expression (see AddIndexOnPostgreSQL) is what lets PostgreSQL answer `full_text_search`
    without reading every row."""
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
        # An alias, not an annotation: the filter needs the vector, the result rows do not.
        return (
            queryset.alias(search_document=vector)
            .filter(search_document=query)
            .annotate(search_rank=SearchRank(vector, query))
        )
    matches = Q()
    for term in search.terms:
        term_anywhere = Q()
        for field in fields:
            term_anywhere |= Q(**{f"{field}__icontains": term})
        matches &= term_anywhere
    return queryset.filter(matches).annotate(search_rank=Value(0.0, output_field=FloatField()))


class AddIndexOnPostgreSQL(AddIndex):
    """AddIndex for an index only PostgreSQL has, such as a GIN index on a `search_vector`
    expression: other databases have neither the index type nor the functions. The index
    stays out of the migration state, as it stays out of the models' Meta.indexes, which
    every database would build; so makemigrations sees nothing to add on any database.
    Write the expression out in the migration, as makemigrations would, rather than calling
    `search_vector`: a migration must build tomorrow what it built today. The search tests
    check with EXPLAIN that the queries still use it."""

    def state_forwards(self, app_label, state):
        """Nothing to record: see the class docstring."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{super().describe()} (PostgreSQL only)"
