"""Archive verification: re-hash stored snapshots and record the outcome the public "hash
verified" mark reads."""

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from apps.documents.archive import archive_problem
from apps.documents.models import ArchivedSnapshot
from apps.documents.selectors import snapshot_ids_least_recently_verified

logger = logging.getLogger(__name__)

VERIFY_READ_BATCH = 500


@dataclass
class ArchiveVerification:
    checked: int = 0
    problems: list[tuple[ArchivedSnapshot, str]] = field(default_factory=list)


def snapshots_verify(*, limit: int | None = None, progress=None) -> ArchiveVerification:
    """Re-hash stored snapshots (decompress, SHA-256, compare with the address) and record the
    outcome on each, which is what the public "hash verified" mark reads. Least recently
    verified first, all of them or the first `limit`; `progress` is called once per snapshot."""
    report = ArchiveVerification()
    for snapshot in _snapshots(snapshot_ids_least_recently_verified(limit=limit)):
        problem = archive_problem(snapshot.storage_name, snapshot.sha256)
        ArchivedSnapshot.objects.filter(pk=snapshot.pk).update(
            last_verified_at=timezone.now(), last_verification_ok=problem is None
        )
        report.checked += 1
        if problem is not None:
            report.problems.append((snapshot, problem))
            logger.error("Archived snapshot %s failed verification: %s", snapshot.sha256, problem)
        if progress is not None:
            progress()
    return report


def _snapshots(ids) -> Iterator[ArchivedSnapshot]:
    """The snapshots of `ids`, in that order, read VERIFY_READ_BATCH rows at a time."""
    ids = iter(ids)
    while chunk := list(itertools.islice(ids, VERIFY_READ_BATCH)):
        rows = ArchivedSnapshot.objects.only("sha256", "storage_name").in_bulk(chunk)
        yield from (rows[pk] for pk in chunk if pk in rows)
