"""Stored fingerprints follow the normalisation rules: a paragraph's escaped "1." is now a word,
not a list marker. Rehashing keeps a document whose text holds one from looking changed at its
next check."""

from django.db import migrations

from apps.documents.normalization import text_fingerprint

_BATCH = 200


def rehash_version_texts(apps, schema_editor):
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    changed = []
    for version in DocumentVersion.objects.only("pk", "text", "text_sha256").iterator(
        chunk_size=_BATCH
    ):
        fingerprint = text_fingerprint(version.text)
        if fingerprint != version.text_sha256:
            version.text_sha256 = fingerprint
            changed.append(version)
    DocumentVersion.objects.bulk_update(changed, ["text_sha256"], batch_size=_BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_version_text_not_unique_for_restores"),
    ]

    operations = [
        migrations.RunPython(rehash_version_texts, migrations.RunPython.noop, elidable=True),
    ]
