"""Archive verification: re-hash stored snapshots and record the outcome the public "hash
verified" mark reads."""

import logging
from dataclasses import dataclass, field

from django.utils import timezone

from apps.documents.archive import archive_problem
from apps.documents.models import ArchivedSnapshot
from apps.documents.selectors import snapshots_least_recently_verified

logger = logging.getLogger(__name__)


@dataclass
class ArchiveVerification:
    checked: int = 0
    problems: list[tuple[ArchivedSnapshot, str]] = field(default_factory=list)


def snapshots_verify(*, limit: int | None = None, progress=None) -> ArchiveVerification:
    """Re-hash stored snapshots (decompress, SHA-256, compare with the address) and record the
    outcome on each, which is what the public "hash verified" mark reads. Least recently
    verified first, all of them or the first `limit`; `progress` is called once per snapshot."""
    report = ArchiveVerification()
    for snapshot in snapshots_least_recently_verified(limit=limit):
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
