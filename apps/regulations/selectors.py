"""Reads behind the public regulation pages."""

from django.db.models import OuterRef, QuerySet

from apps.core.selectors import count_subquery
from apps.provisions.models import Provision, ProvisionStatus
from apps.provisions.selectors import provision_cards
from apps.regulations.models import Agency, Regulation


def regulation_list() -> QuerySet[Regulation]:
    """Every regulation with the number of published provisions mapped to it."""
    mapped = Provision.regulations.through.objects.filter(
        regulation=OuterRef("pk"), provision__status=ProvisionStatus.PUBLISHED
    )
    return Regulation.objects.annotate(
        provision_count=count_subquery(mapped, group_by="regulation")
    ).order_by("name")


def regulation_provisions(*, regulation: Regulation) -> QuerySet[Provision]:
    return (
        provision_cards()
        .filter(regulations=regulation)
        .order_by("-severity", "document__platform__name", "title", "pk")
    )


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")
