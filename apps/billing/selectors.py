"""Reads of plan data."""

from django.db.models import QuerySet

from apps.billing.models import Plan


def plan_list_public() -> QuerySet[Plan]:
    return Plan.objects.filter(is_public=True).order_by("position", "monthly_price")
