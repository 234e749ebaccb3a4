"""A query helper every catalog app's list pages use."""

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
