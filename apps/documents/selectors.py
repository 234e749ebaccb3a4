"""Reads of the documents app."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from apps.documents.chain import chain_hash, version_chain_record
from apps.documents.models import Document, DocumentVersion, FetchAttempt, FetchOutcome

# The largest number a version can have (a PositiveIntegerField on every database): a larger one
# in a URL names no version, and must not reach the database, which cannot even compare it.
MAX_VERSION_NUMBER = 2**31 - 1


INTERRUPTED_LABEL = "Interrupted"


def _interrupted_before(now: datetime | None) -> datetime:
    # A run cannot outlive its lease: once the lease is over, a started attempt is a dead run.
    return (now or timezone.now()) - timedelta(seconds=settings.DOCUMENTS_FETCH_LEASE_SECONDS)


def fetch_attempts_interrupted(*, now: datetime | None = None) -> QuerySet[FetchAttempt]:
    """Attempts a crash cut off: started, never finished, and older than a fetch lease."""
    return FetchAttempt.objects.filter(
        outcome=FetchOutcome.STARTED, started_at__lte=_interrupted_before(now)
    )


def fetch_attempt_outcome_label(*, attempt: FetchAttempt, now: datetime | None = None) -> str:
    """The outcome as the fetch history shows it: "Interrupted" for a started attempt older
    than a lease, "Started" for one that may still be running, else the recorded outcome."""
    if attempt.outcome == FetchOutcome.STARTED and attempt.started_at <= _interrupted_before(now):
        return INTERRUPTED_LABEL
    return attempt.get_outcome_display()


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


def version_get(*, platform_slug: str, document_slug: str, number: int) -> DocumentVersion | None:
    """One version of a document with its snapshot, or None for an unknown one."""
    if not 1 <= number <= MAX_VERSION_NUMBER:
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


def _chain_versions() -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.select_related("document__platform", "snapshot").only(
        "number",
        "text_sha256",
        "captured_at",
        "previous_chain_sha256",
        "chain_sha256",
        "document__record_id",
        "document__slug",
        "document__platform__slug",
        "snapshot__sha256",
    )


def document_chain(*, document: Document) -> list[DocumentVersion]:
    """A document's versions, oldest first, with what their chain records need."""
    return list(_chain_versions().filter(document=document).order_by("number"))


@dataclass(frozen=True)
class ChainProblem:
    version: DocumentVersion
    problem: str

    def __str__(self):
        return f"{self.version.document.record_id} v{self.version.number}: {self.problem}"


def _link_problem(version: DocumentVersion, previous: DocumentVersion | None) -> str | None:
    expected_previous = previous.chain_sha256 if previous else ""
    if version.previous_chain_sha256 != expected_previous:
        return "its link to the previous version does not match that version's hash"
    if chain_hash(version_chain_record(version)) != version.chain_sha256:
        return "its record no longer hashes to the chain hash it recorded"
    return None


def chain_problems(*, document: Document | None = None) -> tuple[int, list[ChainProblem]]:
    """Walks every document's chain (or one document's), oldest version first. Returns how many
    links were checked and what is wrong with each broken one."""
    versions = _chain_versions().order_by("document_id", "number")
    if document is not None:
        versions = versions.filter(document=document)
    checked, problems, previous = 0, [], None
    for version in versions.iterator():
        if previous is not None and previous.document_id != version.document_id:
            previous = None
        problem = _link_problem(version, previous)
        if problem is not None:
            problems.append(ChainProblem(version=version, problem=problem))
        checked += 1
        previous = version
    return checked, problems


def version_chain_intact(version: DocumentVersion) -> bool:
    """Whether this version's own link holds: its record hashes to its chain hash, and it points
    at the previous version's hash."""
    previous = (
        _chain_versions()
        .filter(document_id=version.document_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return _link_problem(version, previous) is None
