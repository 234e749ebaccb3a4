"""Each version records the hash of its own record and of the previous version's
(apps/documents/chain.py). Existing versions are chained here, document by document, oldest
first. The record format is written out rather than imported: a migration must compute
tomorrow what it computed today."""

import hashlib
import json
from datetime import UTC

from django.db import migrations, models


def _chain_hash(version, document_record_id, previous):
    record = {
        "document": document_record_id,
        "number": version.number,
        "snapshot_sha256": version.snapshot.sha256 if version.snapshot_id else "",
        "text_sha256": version.text_sha256,
        "captured_at": version.captured_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "previous_chain_sha256": previous,
    }
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_existing_versions(apps, schema_editor):
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    versions = (
        DocumentVersion.objects.select_related("document", "snapshot")
        .only("number", "text_sha256", "captured_at", "document__record_id", "snapshot__sha256")
        .order_by("document_id", "number")
    )
    previous_document, previous = None, ""
    for version in versions.iterator():
        if version.document_id != previous_document:
            previous_document, previous = version.document_id, ""
        chain = _chain_hash(version, version.document.record_id, previous)
        DocumentVersion.objects.filter(pk=version.pk).update(
            previous_chain_sha256=previous, chain_sha256=chain
        )
        previous = chain


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0008_rehash_version_texts_for_escaped_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='documentversion',
            name='chain_sha256',
            field=models.CharField(blank=True, editable=False, help_text="SHA-256 of this version's record, which includes the previous chain hash.", max_length=64),
        ),
        migrations.AddField(
            model_name='documentversion',
            name='previous_chain_sha256',
            field=models.CharField(blank=True, editable=False, help_text="The previous version's chain hash.", max_length=64),
        ),
        migrations.RunPython(chain_existing_versions, migrations.RunPython.noop),
    ]
