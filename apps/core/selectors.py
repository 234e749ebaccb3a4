"""Query helpers: counts for the catalog's list pages, and table sizes for periodic work."""

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


def table_row_count(model) -> int:
    """How many rows a model's table holds, for sizing periodic work: PostgreSQL's planner
    estimate (kept up to date by ANALYZE and autovacuum, and free to read) when it says the
    table is large, where a few percent do not matter and a COUNT over millions of rows would;
    an exact count otherwise."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
            )
            row = cursor.fetchone()
        if row is not None and row[0] >= EXACT_COUNT_BELOW:
            return int(row[0])
    return model._base_manager.count()
