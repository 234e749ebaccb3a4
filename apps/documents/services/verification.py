"""Archive verification: re-hash stored snapshots and record the outcome the public "hash
verified" mark reads."""

import logging
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from apps.documents.archive import archive_problem
from apps.documents.models import ArchivedSnapshot

logger = logging.getLogger(__name__)


@dataclass
class ArchiveVerification:
    checked: int = 0
    problems: list[tuple[ArchivedSnapshot, str]] = field(default_factory=list)


def snapshots_verify(*, limit: int | None = None, progress=None) -> ArchiveVerification:
    """Re-hash stored snapshots (decompress, SHA-256, compare with the address) and record the
    outcome on each, which is what the public "hash verified" mark reads. Least recently
    verified first, all of them or the first `limit`; `progress` is called once per snapshot."""
    snapshots = ArchivedSnapshot.objects.order_by(
        F("last_verified_at").asc(nulls_first=True), "pk"
    )[:limit]
    report = ArchiveVerification()
    for snapshot in snapshots.iterator():
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
