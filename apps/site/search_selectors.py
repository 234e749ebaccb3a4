"""Reads behind the search page: one search over the catalog's search index
(apps.site.models.SearchEntry), grouped by kind and ranked by relevance, and "did you mean".

Each database answers with its own engine and the same query (apps.core.search parses what was
typed into terms both understand): PostgreSQL matches the generated tsvector column with
websearch_to_tsquery and ranks with ts_rank_cd, weighting title (A) over keywords such as the
clause type (B), summary (C) and body (D); SQLite matches its FTS5 table and ranks with bm25
under the same column weights. Severity only breaks ties. Snippets come from the engine with
private-use markers around matches, and are escaped before the markers become <mark>."""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models.functions import Length
from django.utils.safestring import SafeString

from apps.core.search import HIGHLIGHT_END, HIGHLIGHT_START, SearchInput, highlighted
from apps.provisions.models import Provision, Severity
from apps.site.models import SearchKind, SearchWord

GROUP_SIZE = 5
GROUP_CANDIDATES = 60
# Counting every match of a common word costs as much as ranking them: past this many the
# page says "more than".
COUNT_LIMIT = 1000
# Relative weights of the title, keywords, summary and body columns.
_COLUMN_WEIGHTS = (1.0, 0.6, 0.25, 0.05)
# How alike a vocabulary word must be to a misspelt one to be suggested (difflib's ratio).
SUGGESTION_CUTOFF = 0.75
_SUGGESTION_MIN_LENGTH = 4


@dataclass(frozen=True)
class SearchFilters:
    """What the results are narrowed to. Severity, clause type, regulation and platform are
    provisions' properties: any of them limits the results to provisions."""

    kind: str | None = None
    severity: int | None = None
    clause_type_id: int | None = None
    regulation_id: int | None = None
    platform_id: int | None = None

    @property
    def narrows_provisions(self) -> bool:
        return any(
            value is not None
            for value in (self.severity, self.clause_type_id, self.regulation_id, self.platform_id)
        )

    @property
    def listed_kind(self) -> str:
        """The kind the paginated list shows: the chosen kind, else provisions (the other
        kinds head the first page in short groups)."""
        return SearchKind.PROVISION if self.narrows_provisions or not self.kind else self.kind

    @property
    def shows_groups(self) -> bool:
        return not self.kind and not self.narrows_provisions


@dataclass(frozen=True)
class SearchHit:
    kind: str
    title: str
    url: str
    context: str
    severity: int | None
    snippet: SafeString

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label if self.severity else ""


class _Engine:
    """The SQL one database needs: FROM, the match condition, the rank and the snippet, each
    with its parameters in the order they appear. A row matches when it has any of the
    query's terms (and none it excludes); rows with all of them rank first, so "training
    data" lists what has both words before what has one."""

    def __init__(self, search: SearchInput):
        self.search = search
        self.any_term = search.any_word()
        self.requires_all = len(search.clauses) > len(self.any_term.clauses)

    def from_sql(self) -> tuple[str, list]:
        raise NotImplementedError

    def match_sql(self) -> tuple[str, list]:
        raise NotImplementedError

    def all_terms_sql(self) -> tuple[str, list]:
        """A condition true of rows having every term (only when the query has several)."""
        raise NotImplementedError

    def order_sql(self) -> tuple[str, list]:
        order = f"{self.rank_sql} DESC, COALESCE(e.severity, 0) DESC, e.title, e.id"
        if not self.requires_all:
            return order, []
        all_terms, params = self.all_terms_sql()
        return f"CASE WHEN {all_terms} THEN 0 ELSE 1 END, {order}", params

    rank_sql = ""
    snippet_sql = ""


class _PostgresEngine(_Engine):
    rank_sql = "ts_rank_cd('{%s}'::float4[], e.search_vector, q)" % ",".join(  # noqa: UP031
        str(weight)
        for weight in reversed(_COLUMN_WEIGHTS)  # PostgreSQL's order is D, C, B, A
    )
    snippet_sql = (
        "ts_headline('english', e.summary || ' ' || e.body, q, "
        f"'StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "\')'
    )

    def from_sql(self):
        sql = "site_searchentry e CROSS JOIN websearch_to_tsquery('english', %s) q"
        params = [self.any_term.as_websearch()]
        if self.requires_all:
            sql += " CROSS JOIN websearch_to_tsquery('english', %s) q_all"
            params.append(self.search.as_websearch())
        return sql, params

    def match_sql(self):
        return "e.search_vector @@ q", []

    def all_terms_sql(self):
        return "e.search_vector @@ q_all", []


class _SqliteEngine(_Engine):
    """Provisions and the other kinds have an FTS5 table each (migration 0001), so the other
    kinds' groups are found without visiting every matching provision."""

    def __init__(self, search: SearchInput, *, provisions: bool):
        super().__init__(search)
        self.table = "site_searchentry_fts" if provisions else "site_searchentry_fts_other"

    def _snippet(self, column: int) -> str:
        return f"snippet({self.table}, {column}, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', ' … ', 28)"

    @property
    def rank_sql(self):
        return f"-bm25({self.table}, {', '.join(map(str, _COLUMN_WEIGHTS))})"

    @property
    def snippet_sql(self):
        # The summary's or else the body's passage with a match; the summary's start when
        # only the title or keywords matched.
        return (
            f"CASE WHEN instr({self._snippet(3)}, '{HIGHLIGHT_START}') > 0 "
            f"AND instr({self._snippet(2)}, '{HIGHLIGHT_START}') = 0 "
            f"THEN {self._snippet(3)} ELSE {self._snippet(2)} END"
        )

    def from_sql(self):
        # CROSS JOIN keeps the FTS table as the outer loop: the other order runs the match
        # once per entry.
        return f"{self.table} CROSS JOIN site_searchentry e ON e.id = {self.table}.rowid", []

    def match_sql(self):
        return f"{self.table} MATCH %s", [self.any_term.as_fts5()]

    def all_terms_sql(self):
        return (
            f"e.id IN (SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s)",  # noqa: S608
            [self.search.as_fts5()],
        )


def _engine(search: SearchInput, *, provisions: bool) -> _Engine:
    """The engine for matches among provisions, or among the other kinds."""
    if connection.vendor == "postgresql":
        return _PostgresEngine(search)
    return _SqliteEngine(search, provisions=provisions)


def _filters_sql(filters: SearchFilters, *, kind_sql: str) -> tuple[str, list]:
    conditions, params = [kind_sql], []
    if filters.listed_kind and kind_sql == "e.kind = %s":
        params.append(filters.listed_kind)
    if filters.severity is not None:
        conditions.append("e.severity = %s")
        params.append(filters.severity)
    if filters.clause_type_id is not None:
        conditions.append("e.clause_type_id = %s")
        params.append(filters.clause_type_id)
    if filters.platform_id is not None:
        conditions.append("e.platform_id = %s")
        params.append(filters.platform_id)
    if filters.regulation_id is not None:
        links = Provision.regulations.through._meta.db_table
        conditions.append(
            f"e.object_id IN (SELECT provision_id FROM {links} WHERE regulation_id = %s)"  # noqa: S608
        )
        params.append(filters.regulation_id)
    return " AND ".join(conditions), params


def _execute(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ranked_ids(engine: _Engine, where: tuple[str, list], *, limit: int, offset: int = 0):
    """The ids of the best matches, best first. Only ids: SQLite would compute the snippet of
    every match before sorting them."""
    from_sql, from_params = engine.from_sql()
    match_sql, match_params = engine.match_sql()
    order_sql, order_params = engine.order_sql()
    where_sql, where_params = where
    rows = _execute(
        f"SELECT e.id FROM {from_sql} WHERE {match_sql} AND {where_sql} "  # noqa: S608
        f"ORDER BY {order_sql} LIMIT %s OFFSET %s",
        [*from_params, *match_params, *where_params, *order_params, limit, offset],
    )
    return [row[0] for row in rows]


def _hits(engine: _Engine, ids: list[int]) -> list[SearchHit]:
    """The results with these ids, in this order, each with its snippet."""
    if not ids:
        return []
    from_sql, from_params = engine.from_sql()
    match_sql, match_params = engine.match_sql()
    placeholders = ", ".join(["%s"] * len(ids))
    rows = _execute(
        "SELECT e.id, e.kind, e.title, e.url, e.context, e.severity, "  # noqa: S608
        f"{engine.snippet_sql} FROM {from_sql} WHERE {match_sql} AND e.id IN ({placeholders})",
        [*from_params, *match_params, *ids],
    )
    by_id = {row[0]: row[1:] for row in rows}
    return [
        SearchHit(
            kind=kind,
            title=title,
            url=url,
            context=context,
            severity=severity,
            snippet=highlighted(snippet or ""),
        )
        for kind, title, url, context, severity, snippet in (by_id[pk] for pk in ids)
    ]


class SearchHitList:
    """The matches of the listed kind, fetched a page at a time: what Paginator needs (a
    count, and slices that each run two queries: the page's ids, then their snippets). The
    count stops at `COUNT_LIMIT`, past which `count_is_partial` says "more than"."""

    def __init__(self, search: SearchInput, filters: SearchFilters):
        self.engine = _engine(search, provisions=filters.listed_kind == SearchKind.PROVISION)
        self.where = _filters_sql(filters, kind_sql="e.kind = %s")
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            from_sql, from_params = self.engine.from_sql()
            match_sql, match_params = self.engine.match_sql()
            where_sql, where_params = self.where
            self._count = _execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {from_sql} "  # noqa: S608
                f"WHERE {match_sql} AND {where_sql} LIMIT %s) AS counted",
                [*from_params, *match_params, *where_params, COUNT_LIMIT + 1],
            )[0][0]
        return min(self._count, COUNT_LIMIT)

    @property
    def count_is_partial(self) -> bool:
        return self.count() == COUNT_LIMIT and self._count > COUNT_LIMIT

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[SearchHit]:
        start = window.start or 0
        limit = max((window.stop or start) - start, 0)
        return _hits(self.engine, _ranked_ids(self.engine, self.where, limit=limit, offset=start))


def search_groups(*, search: SearchInput) -> list[tuple[str, list[SearchHit]]]:
    """The best `GROUP_SIZE` matches of every kind but provisions, in the page's order of
    kinds, each kind with its label; kinds without a match are left out. Read from the best
    `GROUP_CANDIDATES` matches of those kinds together (a window function per kind would
    rank every match twice), which only a query matching hundreds of platforms fills."""
    engine = _engine(search, provisions=False)
    ids = _ranked_ids(engine, ("e.kind <> %s", [SearchKind.PROVISION]), limit=GROUP_CANDIDATES)
    by_kind: dict[str, list[SearchHit]] = {}
    for hit in _hits(engine, ids):
        hits = by_kind.setdefault(hit.kind, [])
        if len(hits) < GROUP_SIZE:
            hits.append(hit)
    return [(kind.label, by_kind[kind]) for kind in SearchKind if kind in by_kind]


@dataclass(frozen=True)
class Suggestion:
    """A query with its misspelt words replaced by the catalog's own."""

    search: SearchInput
    corrections: dict[str, str] = field(default_factory=dict)


def _closest_word(word: str) -> str | None:
    """The vocabulary word most like `word`: PostgreSQL narrows the vocabulary with its
    trigram index, SQLite to words of the same first letter and about the same length; both
    then choose by the same measure, so they suggest alike."""
    if connection.vendor == "postgresql":
        candidates = [
            row[0]
            for row in _execute(
                "SELECT word FROM site_searchword WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT 10",
                [word, word],
            )
        ]
    else:
        candidates = list(
            SearchWord.objects.annotate(length=Length("word"))
            .filter(word__startswith=word[0], length__gte=len(word) - 2, length__lte=len(word) + 2)
            .values_list("word", flat=True)
        )
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None


def search_suggestion(*, search: SearchInput) -> Suggestion | None:
    """ "Did you mean": the query with every word the catalog never uses replaced by the
    closest word it does use; None when every word is known or nothing close exists."""
    words = [
        word for word in search.words if len(word) >= _SUGGESTION_MIN_LENGTH and word.isalpha()
    ]
    if not words:
        return None
    known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    corrections = {}
    for word in words:
        if word not in known and (closest := _closest_word(word)) is not None:
            corrections[word] = closest
    if not corrections:
        return None
    return Suggestion(search=search.replacing(corrections), corrections=corrections)


@dataclass(frozen=True)
class SearchResults:
    """What the search page shows. `search` is the query the results are for: what was typed,
    or its "did you mean" correction when what was typed matched nothing (`corrected`)."""

    search: SearchInput
    listed_kind: str
    page: Page
    groups: list[tuple[str, list[SearchHit]]]
    suggestion: Suggestion | None = None
    corrected: bool = False

    @property
    def listed_label(self) -> str:
        return SearchKind(self.listed_kind).label

    @property
    def found_nothing(self) -> bool:
        return not self.page.paginator.count and not self.groups


def _results(
    search: SearchInput, filters: SearchFilters, *, page_number, per_page: int
) -> tuple[Page, list]:
    page = Paginator(SearchHitList(search, filters), per_page).get_page(page_number)
    groups = search_groups(search=search) if filters.shows_groups and page.number == 1 else []
    return page, groups


def catalog_search(
    *, search: SearchInput, filters: SearchFilters, page_number=None, per_page: int = 20
) -> SearchResults:
    """The search page's results. When nothing matches what was typed, the correction of its
    misspelt words is searched instead, so a near miss still finds."""
    suggestion = search_suggestion(search=search)
    page, groups = _results(search, filters, page_number=page_number, per_page=per_page)
    corrected = False
    if not page.paginator.count and not groups and suggestion is not None:
        search, corrected = suggestion.search, True
        page, groups = _results(search, filters, page_number=page_number, per_page=per_page)
    return SearchResults(
        search=search,
        listed_kind=filters.listed_kind,
        page=page,
        groups=groups,
        suggestion=suggestion,
        corrected=corrected,
    )
