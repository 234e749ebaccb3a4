"""Reads of the documents app."""

from django.db.models import QuerySet

from apps.documents.models import Document, DocumentVersion

# The largest number a version can have (a PositiveIntegerField on every database): a larger one
# in a URL names no version, and must not reach the database, which cannot even compare it.
MAX_VERSION_NUMBER = 2**31 - 1


def documents_monitored() -> QuerySet[Document]:
    return Document.objects.filter(is_monitored=True).order_by("record_id")


def documents_by_record_ids(*, record_ids: list[str]) -> tuple[list[Document], list[str]]:
    """The documents with these record IDs, in the order given, and the IDs that match none."""
    wanted = [record_id.strip().upper() for record_id in record_ids]
    found = {
        document.record_id: document for document in Document.objects.filter(record_id__in=wanted)
    }
    return [found[r] for r in wanted if r in found], [r for r in wanted if r not in found]


def version_pair_get(
    *, platform_slug: str, document_slug: str, from_number: int, to_number: int
) -> tuple[Document, DocumentVersion, DocumentVersion] | None:
    """A document and two of its versions, the older first; None for an unknown document or
    version number, or when `from_number` is not older than `to_number`."""
    if not 1 <= from_number < to_number <= MAX_VERSION_NUMBER:
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
