"""Re-hash every archived snapshot; exit non-zero if any is missing or altered."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.documents.models import ArchivedSnapshot
from apps.documents.services import snapshots_verify


class Command(BaseCommand):
    help = "Decompress and re-hash every stored snapshot; fail on any mismatch or missing file."

    def handle(self, *args, **options):
        with tqdm(
            total=ArchivedSnapshot.objects.count(), unit="snapshot", disable=None, file=self.stderr
        ) as progress:
            report = snapshots_verify(progress=progress.update)
        for snapshot, problem in report.problems:
            self.stdout.write(
                self.style.ERROR(f"{snapshot.sha256} ({snapshot.storage_name}): {problem}")
            )
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} of {report.checked} snapshots failed verification."
            )
        self.stdout.write(self.style.SUCCESS(f"{report.checked} snapshots verified."))
