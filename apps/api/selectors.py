"""What the API reads beyond the pages' selectors: the catalog lists with their filters applied.
Only published provisions leave here, and never their memo (the detail endpoint asks the
provisions selectors, which ask the entitlements)."""

from datetime import datetime

from django.db.models import QuerySet

from apps.accounts.models import Organization
from apps.documents.models import ChangeEvent, Document, DocumentVersion
from apps.monitoring.models import Notification
from apps.platforms.models import Platform
from apps.provisions.models import ClauseType, Provision
from apps.provisions.selectors import PROVISION_CARD_FIELDS, provision_cards
from apps.regulations.models import Agency, Regulation


def provision_list(
    *,
    platform: Platform | None = None,
    clause_type: ClauseType | None = None,
    severity: int | None = None,
    regulation: Regulation | None = None,
    changed_since: datetime | None = None,
) -> QuerySet[Provision]:
    provisions = provision_cards().only(
        *PROVISION_CARD_FIELDS, "document__record_id", "published_at", "updated_at"
    )
    if platform is not None:
        provisions = provisions.filter(document__platform=platform)
    if clause_type is not None:
        provisions = provisions.filter(clause_type=clause_type)
    if severity is not None:
        provisions = provisions.filter(severity=severity)
    if regulation is not None:
        provisions = provisions.filter(regulations=regulation)
    if changed_since is not None:
        provisions = provisions.filter(updated_at__gte=changed_since)
    return provisions.order_by("record_id")


def document_list(*, platform: Platform | None = None) -> QuerySet[Document]:
    documents = (
        Document.objects.select_related("platform")
        .filter(platform__is_listed=True)
        .order_by("record_id")
    )
    if platform is not None:
        documents = documents.filter(platform=platform)
    return documents


def document_by_record_id(*, record_id: str) -> Document | None:
    return (
        Document.objects.select_related("platform")
        .filter(record_id=record_id, platform__is_listed=True)
        .first()
    )


def version_list(*, document: Document) -> QuerySet[DocumentVersion]:
    """A document's versions without their text (the detail endpoint sends it)."""
    return (
        DocumentVersion.objects.filter(document=document)
        .select_related("document__platform", "snapshot")
        .defer("text", "snapshot__headers", "document__select_selectors")
    )


def version_get(*, document: Document, number: int) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.select_related("document__platform", "snapshot")
        .filter(document=document, number=number)
        .first()
    )


def change_list(
    *, platform: Platform | None = None, changed_since: datetime | None = None
) -> QuerySet[ChangeEvent]:
    """Change events (a document's first record or a change of its text; never a technical
    re-extraction), newest first by the cursor pagination."""
    changes = ChangeEvent.objects.select_related(
        "document__platform", "version", "previous_version"
    ).only(
        "created_at",
        "summary",
        "document__record_id",
        "document__title",
        "document__platform__slug",
        "version__number",
        "version__captured_at",
        "previous_version__number",
    )
    if platform is not None:
        changes = changes.filter(document__platform=platform)
    if changed_since is not None:
        changes = changes.filter(created_at__gte=changed_since)
    return changes


def organization_change_list(
    *, organization: Organization, changed_since: datetime | None = None
) -> QuerySet[ChangeEvent]:
    """The changes that reached the organization as in-app notifications: each event once,
    however many of its members it reached, newest first by the cursor pagination."""
    reached = Notification.objects.filter(organization=organization).values("change_event_id")
    return change_list(changed_since=changed_since).filter(pk__in=reached)


def platform_list() -> QuerySet[Platform]:
    return Platform.objects.listed().order_by("name", "pk")


def regulation_list() -> QuerySet[Regulation]:
    return Regulation.objects.order_by("name", "pk")


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.order_by("name", "pk")
