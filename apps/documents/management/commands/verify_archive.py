"""Re-hash every archived snapshot and walk every document's hash chain; exit non-zero if a file
is missing or altered or a chain link is broken."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.documents.archive import ArchiveUnavailable
from apps.documents.models import ArchivedSnapshot
from apps.documents.selectors import chain_problems
from apps.documents.services import snapshots_verify


class Command(BaseCommand):
    help = (
        "Decompress and re-hash every stored snapshot and check every version's hash chain; "
        "fail on any mismatch, missing file or broken link."
    )

    def handle(self, *args, **options):
        with tqdm(
            total=ArchivedSnapshot.objects.count(), unit="snapshot", disable=None, file=self.stderr
        ) as progress:
            try:
                report = snapshots_verify(progress=progress.update)
            except ArchiveUnavailable as error:
                raise CommandError(
                    f"The archive storage cannot be reached ({error}); nothing more was "
                    "verified. Run the command again once it answers."
                ) from error
        for snapshot, problem in report.problems:
            self.stdout.write(
                self.style.ERROR(f"{snapshot.sha256} ({snapshot.storage_name}): {problem}")
            )
        links, broken = chain_problems()
        for problem in broken:
            self.stdout.write(self.style.ERROR(f"chain: {problem}"))
        if report.problems or broken:
            raise CommandError(
                f"{len(report.problems)} of {report.checked} snapshots failed verification; "
                f"{len(broken)} of {links} chain links are broken."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{report.checked} snapshots verified; {links} chain links intact.")
        )
