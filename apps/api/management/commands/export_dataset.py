from django.core.management.base import BaseCommand

from apps.api.dataset import dataset_export


class Command(BaseCommand):
    help = (
        "Writes the open-data archive (JSON Lines and CSV of platforms, documents, versions' "
        "metadata, published provisions without locked fields, regulations; README; checksums) "
        "to the default storage, where the open data page offers the latest one."
    )

    def handle(self, *args, **options):
        archive = dataset_export()
        self.stdout.write(
            f"{archive.storage_name} ({archive.size:,} bytes)\nsha256 {archive.sha256}"
        )
