from django.core.management.base import BaseCommand

from apps.site.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuilds the search index from the catalog (needed after bulk loads that bypass the "
        "models' save, such as the benchmark catalog)."
    )

    def handle(self, *args, **options):
        count = search_index_rebuild()
        if options["verbosity"]:
            self.stdout.write(f"Search index rebuilt: {count:,} entries.")
