"""Query helpers: counts for the catalog's list pages, table sizes for periodic work, and the
shape of a curator-queue count."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


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


# Below this many rows an exact COUNT is cheap, and exact figures keep small archives honest.
EXACT_COUNT_BELOW = 100_000


def table_row_estimates(*models) -> list[int | None]:
    """For each model, PostgreSQL's planner estimate of its table's rows (kept up to date by
    ANALYZE and autovacuum, and free to read) when it says the table is large, where a few
    percent do not matter and a COUNT over millions of rows would; None for a small table, or
    on another database, where an exact count is cheap. One query for all of them."""
    if connection.vendor != "postgresql":
        return [None] * len(models)
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE oid = ANY(%s::regclass[])", [tables]
        )
        estimates = dict(cursor.fetchall())
    return [
        int(estimates[table]) if estimates.get(table, -1) >= EXACT_COUNT_BELOW else None
        for table in tables
    ]


def filtered_row_estimate(queryset: QuerySet) -> int:
    """PostgreSQL's planner estimate of how many rows `queryset` matches, from the column
    statistics ANALYZE keeps (a status's share of the table, say): no row is read. For a
    large table's filtered figure (see table_row_estimates), where a COUNT would read every
    matching index entry."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def table_row_count(model) -> int:
    """How many rows a model's table holds, for sizing periodic work: estimated when large
    (see table_row_estimates), counted otherwise."""
    [estimate] = table_row_estimates(model)
    return estimate if estimate is not None else model._base_manager.count()


@dataclass(frozen=True)
class QueueCount:
    """How many items wait for a curator and since when the oldest has (None when none wait)."""

    count: int
    oldest: datetime | None
