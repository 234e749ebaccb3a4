"""Import ToS;DR's services and points (services.jsonl, points.jsonl) as draft provisions."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.core.exceptions import ApplicationError
from apps.provisions import tosdr
from apps.provisions.services import tosdr_import


class Command(BaseCommand):
    help = (
        "Import a ToS;DR export (a directory holding services.jsonl and points.jsonl) as draft "
        "provisions for curators to review. Safe to run again: points already imported are "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        started = time.perf_counter()
        try:
            report = tosdr_import(
                directory=directory,
                progress=lambda points, total: tqdm(
                    points, total=total, unit="point", disable=None, file=self.stderr
                ),
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        elapsed = time.perf_counter() - started

        for problem in report.problems:
            self.stdout.write(self.style.WARNING(problem))
        write = self.stdout.write
        write(f"Read {report.points_read} points in {elapsed:.1f} s.")
        write(
            f"Created {report.provisions_created} draft provisions, "
            f"{report.platforms_created} platforms, {report.documents_created} documents and "
            f"{report.clause_types_created} clause types; matched "
            f"{len(report.platforms_matched)} existing platforms."
        )
        skipped = sum(report.skipped.values())
        write(f"Skipped {skipped} points" + (":" if skipped else "."))
        for reason, count in report.skipped.most_common():
            write(f"  {count} {reason}")
        for case, count in report.unknown_cases.most_common():
            write(f"    {count} × case {case!r}")
        write(
            f"Imported text is by {tosdr.TOSDR_ATTRIBUTION} ({tosdr.TOSDR_LICENCE}); nothing "
            "is published until a curator reviews it."
        )
