"""Recompute every platform's grade from its published provisions: after a bulk import, a
change of the grade rule, or a document moved to another platform (which the provisions
services cannot see)."""

from django.core.management.base import BaseCommand

from apps.platforms.models import Platform
from apps.provisions.services import platform_grades_recompute


class Command(BaseCommand):
    help = "Recompute every platform's A–E grade from its published provisions."

    def handle(self, *args, **options):
        changed = platform_grades_recompute()
        graded = Platform.objects.exclude(grade="").count()
        self.stdout.write(
            f"{changed} grade{'s' if changed != 1 else ''} changed; "
            f"{graded} of {Platform.objects.count()} platforms graded."
        )
