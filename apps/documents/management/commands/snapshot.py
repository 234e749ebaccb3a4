"""Run the snapshot pipeline now for some documents or all monitored ones."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.documents.models import FetchOutcome
from apps.documents.selectors import documents_by_record_ids, documents_monitored
from apps.documents.services import document_snapshot


class Command(BaseCommand):
    help = "Fetch documents now: snapshot CA-D-00001 CA-D-00002 ..., or snapshot --all."

    def add_arguments(self, parser):
        parser.add_argument("record_ids", nargs="*", metavar="DOCUMENT_ID")
        parser.add_argument("--all", action="store_true", help="every monitored document")

    def handle(self, *args, record_ids, all, **options):
        if all == bool(record_ids):
            raise CommandError("Give document IDs (like CA-D-00001) or --all, not both.")
        if all:
            documents = list(documents_monitored())
        else:
            documents, unknown = documents_by_record_ids(record_ids=record_ids)
            if unknown:
                raise CommandError(f"No document with ID {', '.join(unknown)}.")

        counts: dict[str, int] = {}
        failures = []
        progress = tqdm(documents, unit="doc", disable=None, file=self.stderr)
        for document in progress:
            progress.set_postfix_str(document.record_id)
            run = document_snapshot(document=document)
            if run.attempt is None:
                outcome = "skipped (being fetched elsewhere)"
            else:
                outcome = run.attempt.get_outcome_display()
                if run.attempt.outcome == FetchOutcome.ERROR:
                    failures.append(
                        f"{document.record_id} {run.attempt.error_kind}: {run.attempt.message}"
                    )
            counts[outcome] = counts.get(outcome, 0) + 1

        for failure in failures:
            self.stdout.write(self.style.WARNING(failure))
        summary = ", ".join(f"{count} {outcome.lower()}" for outcome, count in counts.items())
        self.stdout.write(f"{len(documents)} documents: {summary or 'nothing to do'}.")
