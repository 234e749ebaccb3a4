"""Reads of the documents app."""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.selectors import QueueCount, table_row_count
from apps.documents.chain import chain_hash, version_chain_record
from apps.documents.models import (
    ArchivedSnapshot,
    Document,
    DocumentVersion,
    FetchAttempt,
    FetchOutcome,
)
from apps.documents.normalization import normalize_text
from apps.documents.shared_texts import normalized_text_shared

# The largest number a version can have (a PositiveIntegerField on every database): a larger one
# in a URL names no version, and must not reach the database, which cannot even compare it.
MAX_VERSION_NUMBER = 2**31 - 1


def documents_due(*, now: datetime) -> QuerySet[Document]:
    """Monitored documents due at `now` and not leased, most overdue first: a range of the
    `document_due` index, read in its order."""
    return (
        Document.objects.filter(is_monitored=True, next_fetch_at__lte=now)
        .filter(Q(fetch_lease_until__isnull=True) | Q(fetch_lease_until__lte=now))
        .order_by("next_fetch_at", "pk")
    )


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


# --- the scrub: re-hashing the archive ---------------------------------------------------------


def snapshot_ids_least_recently_verified(*, limit: int | None = None) -> Iterator[int]:
    """Ids of the snapshots never verified (oldest first), then of the least recently verified:
    all of them or the first `limit`. Two ranges read from the indexes alone
    (`snapshot_never_verified`, `snapshot_verified`) rather than one ORDER BY ... NULLS FIRST,
    which an index on a nullable column does not serve on every database."""
    started = timezone.now()
    never = ArchivedSnapshot.objects.filter(last_verified_at__isnull=True).order_by("pk")
    # Verified before this read began: not the ones the caller re-hashes as it goes.
    verified = ArchivedSnapshot.objects.filter(last_verified_at__lt=started).order_by(
        "last_verified_at", "pk"
    )
    taken = 0
    for snapshots in (never, verified):
        ids = snapshots.values_list("pk", flat=True)
        if limit is None:
            # The whole archive: streamed through a server-side cursor, never all in memory.
            yield from ids.iterator()
            continue
        # A batch: one fetch, where a cursor would cost a round trip per chunk.
        batch = list(ids[: limit - taken])
        taken += len(batch)
        yield from batch
        if taken == limit:
            return


def snapshots_scrub_batch_size() -> int:
    """How many snapshots one scrub run re-hashes so that the runs of DOCUMENTS_SCRUB_DAYS
    together cover the whole archive."""
    runs = settings.DOCUMENTS_SCRUB_DAYS * 86400 / settings.DOCUMENTS_SCRUB_EVERY_SECONDS
    return math.ceil(table_row_count(ArchivedSnapshot) / max(runs, 1))


def snapshots_scrub_batch() -> list[int]:
    """The ids of the snapshots the next scrub run re-hashes."""
    return list(snapshot_ids_least_recently_verified(limit=snapshots_scrub_batch_size()))


@dataclass(frozen=True)
class ScrubProgress:
    snapshots: int
    never_verified: int
    # Not re-hashed within DOCUMENTS_SCRUB_DAYS (never-verified ones included).
    overdue: int
    failed: int
    # Every snapshot has been re-hashed since this moment (None while some never were).
    complete_since: datetime | None
    days: float

    @property
    def percent_verified(self) -> float:
        """The share of the archive re-hashed within DOCUMENTS_SCRUB_DAYS, in percent."""
        if not self.snapshots:
            return 100.0
        return max(0.0, 100 * (1 - self.overdue / self.snapshots))


def archive_scrub_progress(*, now: datetime | None = None) -> ScrubProgress:
    """How far the scrub is in its cycle, for the admin. Each figure reads an index range that
    is short while the scrub keeps up (overdue and failed snapshots are few), not the archive."""
    days = settings.DOCUMENTS_SCRUB_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    never = ArchivedSnapshot.objects.filter(last_verified_at__isnull=True).count()
    stale = ArchivedSnapshot.objects.filter(last_verified_at__lt=cutoff).count()
    oldest = ArchivedSnapshot.objects.aggregate(oldest=Min("last_verified_at"))["oldest"]
    return ScrubProgress(
        snapshots=table_row_count(ArchivedSnapshot),
        never_verified=never,
        overdue=never + stale,
        failed=ArchivedSnapshot.objects.filter(last_verification_ok=False).count(),
        complete_since=None if never else oldest,
        days=days,
    )


def documents_failing_to_fetch() -> QueueCount:
    """Monitored documents whose fetch failed DOCUMENTS_FAILING_THRESHOLD times in a row (the
    admin's "failing" filter). The age is how long ago the oldest was last read successfully
    (or added, if it never was): failing at least that long."""
    row = Document.objects.filter(
        is_monitored=True, consecutive_failures__gte=settings.DOCUMENTS_FAILING_THRESHOLD
    ).aggregate(count=Count("pk"), oldest=Min(Coalesce("last_verified_at", "created_at")))
    return QueueCount(row["count"], row["oldest"])


def version_normalized_text(*, version: DocumentVersion) -> str:
    """The version's text as its fingerprint reads it (`normalize_text`): the copy the ingest
    shared when it recorded the version, or normalised again when that copy is gone."""
    shared = normalized_text_shared(fingerprint=version.text_sha256)
    return shared if shared is not None else normalize_text(version.text)
