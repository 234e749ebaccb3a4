"""Reads of the documents app."""

from django.conf import settings
from django.db.models import QuerySet

from apps.documents.models import Document, DocumentVersion


def documents_monitored() -> QuerySet[Document]:
    return Document.objects.filter(is_monitored=True).order_by("record_id")


def documents_by_record_ids(*, record_ids: list[str]) -> tuple[list[Document], list[str]]:
    """The documents with these record IDs, in the order given, and the IDs that match none."""
    wanted = [record_id.strip().upper() for record_id in record_ids]
    found = {
        document.record_id: document for document in Document.objects.filter(record_id__in=wanted)
    }
    return [found[r] for r in wanted if r in found], [r for r in wanted if r not in found]


def documents_failing(*, threshold: int | None = None) -> QuerySet[Document]:
    """Documents whose last `threshold` fetches (DOCUMENTS_FAILING_THRESHOLD) all failed."""
    threshold = threshold or settings.DOCUMENTS_FAILING_THRESHOLD
    return Document.objects.filter(consecutive_failures__gte=threshold)


def version_pair_get(
    *, platform_slug: str, document_slug: str, from_number: int, to_number: int
) -> tuple[Document, DocumentVersion, DocumentVersion] | None:
    """A document and two of its versions, the older first; None for an unknown document or
    version number, or when `from_number` is not older than `to_number`."""
    if from_number >= to_number:
        return None
    document = (
        Document.objects.select_related("platform")
        .filter(platform__slug=platform_slug, slug=document_slug)
        .first()
    )
    if document is None:
        return None
    versions = {
        version.number: version
        for version in DocumentVersion.objects.select_related("snapshot").filter(
            document=document, number__in=[from_number, to_number]
        )
    }
    if len(versions) != 2:
        return None
    return document, versions[from_number], versions[to_number]


def version_get(*, platform_slug: str, document_slug: str, number: int) -> DocumentVersion | None:
    """One version of a document with its snapshot, or None for an unknown one."""
    if not 1 <= number <= 2**31 - 1:
        return None
    return (
        DocumentVersion.objects.select_related("document__platform", "snapshot")
        .filter(document__platform__slug=platform_slug, document__slug=document_slug, number=number)
        .first()
    )


def version_numbers(*, document: Document) -> list[int]:
    """Every version number of a document, newest first (the compare picker's choices)."""
    return list(
        DocumentVersion.objects.filter(document=document)
        .order_by("-number")
        .values_list("number", flat=True)
    )
