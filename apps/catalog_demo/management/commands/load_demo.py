from django.core.management.base import BaseCommand, CommandError

from apps.catalog_demo.accounts import demo_accounts_load
from apps.catalog_demo.loader import demo_catalog_load
from apps.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Create or update the demo catalog (platforms, archived document versions, published "
        "provisions, regulations, agencies, research). Idempotent: `make run` calls it on every "
        "start. Never touches the network."
    )

    def handle(self, *args, **options):
        # Each part of the demo is one (label, loader) pair; a part that depends on another
        # (demo organizations tracking demo platforms) is listed after it.
        parts = [("catalog", demo_catalog_load), ("accounts", demo_accounts_load)]
        for label, load in parts:
            try:
                report = load()
            except ApplicationError as error:
                raise CommandError(f"Demo {label}: {error.message}") from error
            self.stdout.write(f"Demo {label}: {report}")
