"""Catalog search: parsing what people type into a query both search engines understand alike
(PostgreSQL's full text search and SQLite's FTS5), the highlighting of the snippets they return,
and the migration operations that give each database its own index. Free of model imports, so
that migrations can import it."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.migrations import AddIndex, RunSQL
from django.db.models import FloatField, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
SEARCH_CONFIG = "english"
_WORD = re.compile(r"\w+")
# A quoted phrase (its closing quote optional: an unbalanced quote runs to the end) or a bare
# token; a leading "-" excludes either.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WEIGHTS = ("A", "B", "C", "D")
# PostgreSQL's English stop words (the Snowball list its `english` configuration drops). Both
# engines drop them from the query, so "can they sell my data" asks for "sell" and "data" on
# either database; SQLite's index keeps them, so quoted phrases still match word for word.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905
)
# Snippet highlight markers: private-use characters, removed from indexed text, so that a
# snippet can be HTML-escaped first and marked up after.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


@dataclass(frozen=True)
class SearchTerm:
    """A word or a quoted phrase (several words, in order); `negated` excludes it."""

    words: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class SearchInput:
    """What a person typed, made safe: `text` (capped, without control characters) to show
    back, `terms` (the distinct words) and `clauses`, every one of which a match must satisfy,
    each being one term or alternatives joined by "or"."""

    text: str
    terms: tuple[str, ...]
    clauses: tuple[tuple[SearchTerm, ...], ...] = ()
    trimmed: bool = False
    only_common_words: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.positive_terms

    @property
    def positive_terms(self) -> tuple[SearchTerm, ...]:
        return tuple(term for clause in self.clauses for term in clause if not term.negated)

    @property
    def words(self) -> tuple[str, ...]:
        """The single words searched for (not phrases, not exclusions): what "did you mean"
        checks against the catalog's vocabulary."""
        return tuple(term.words[0] for term in self.positive_terms if len(term.words) == 1)

    def replacing(self, corrections: dict[str, str]) -> "SearchInput":
        """The same query with some words replaced ("arbitation" → "arbitration")."""

        def corrected(match: re.Match) -> str:
            return corrections.get(match.group().lower(), match.group())

        return search_input_parse(_WORD.sub(corrected, self.text))

    def any_word(self) -> "SearchInput":
        """The query relaxed to any of its terms (still without those it excludes)."""
        excluded = tuple(clause for clause in self.clauses if clause[0].negated)
        return SearchInput(
            text=self.text,
            terms=self.terms,
            clauses=(self.positive_terms, *excluded),
            trimmed=self.trimmed,
        )

    def as_websearch(self) -> str:
        """The query in PostgreSQL's websearch syntax. Every word is a run of letters or digits,
        so nothing here can be read as an operator but what the parser meant as one."""

        def term_text(term: SearchTerm) -> str:
            words = " ".join(term.words)
            text = f'"{words}"' if len(term.words) > 1 else words
            return f"-{text}" if term.negated else text

        return " ".join(" or ".join(map(term_text, clause)) for clause in self.clauses)

    def as_fts5(self) -> str:
        """The query in SQLite FTS5 syntax: each term a quoted string (so `NEAR`, `*` or `:`
        are plain words), alternatives in brackets with OR, exclusions after NOT."""
        positive, negative = [], []
        for clause in self.clauses:
            quoted = [f'"{" ".join(term.words)}"' for term in clause]
            if clause[0].negated:
                negative.extend(quoted)
            else:
                positive.append(quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})")
        return " AND ".join(positive) + "".join(f" NOT {term}" for term in negative)


def search_input_parse(raw: str) -> SearchInput:
    """Make any user-typed query safe to hand to either engine: control characters (NUL bytes
    break PostgreSQL string literals) are dropped, the length is capped (`trimmed` says so),
    operators other than quotes, "or" and a leading "-" are read as spaces, and common words
    are left out. A query without a single searchable word is empty, not an error."""
    printable = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch
        for ch in raw[: MAX_QUERY_LENGTH * 2]
    )
    collapsed = " ".join(printable.split())
    text = collapsed[:MAX_QUERY_LENGTH].strip()
    terms = tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:MAX_QUERY_TERMS]
    clauses: list[tuple[SearchTerm, ...]] = []
    joins_previous = False
    dropped_common = False
    count = 0
    for match in _TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            joins_previous = bool(clauses)
            continue
        if bare is not None:
            minus, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(word.lower() for word in _WORD.findall(phrase))
        if len(words) == 1 and words[0] in STOP_WORDS:
            dropped_common = True
            continue
        if not words or count >= MAX_QUERY_TERMS:
            continue
        count += 1
        term = SearchTerm(words=words, negated=bool(minus))
        if joins_previous and not term.negated and not clauses[-1][0].negated:
            clauses[-1] = (*clauses[-1], term)
        else:
            clauses.append((term,))
        joins_previous = False
    search = SearchInput(
        text=text,
        terms=terms,
        clauses=tuple(clauses),
        trimmed=len(collapsed) > MAX_QUERY_LENGTH,
    )
    if search.is_empty and dropped_common:
        search = SearchInput(text=text, terms=terms, trimmed=search.trimmed, only_common_words=True)
    return search


def strip_highlight_markers(text: str) -> str:
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def highlighted(snippet: str) -> SafeString:
    """A snippet with its matches between the highlight markers, as HTML: the text is escaped
    first, then the markers become <mark> elements, so nothing in the catalog's text is ever
    read as markup."""
    escaped = str(escape(snippet))
    return mark_safe(  # noqa: S308 - escaped just above; only our own tags are added
        escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>")
    )


class RunSQLOnVendor(RunSQL):
    """RunSQL for one database vendor only (the search index is a generated tsvector column on
    PostgreSQL and an FTS5 table on SQLite): a no-op on the others, and nothing in the
    migration state either way."""

    def __init__(self, vendor: str, sql, reverse_sql=None, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor} only"


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
