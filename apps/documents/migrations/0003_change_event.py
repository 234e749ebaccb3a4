import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def change_events_backfill(apps, schema_editor):
    """One event per recorded version that is not a re-extraction, as the ingest now writes."""
    from apps.documents.services import change_event_summary

    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    ChangeEvent = apps.get_model("documents", "ChangeEvent")
    previous = {}
    events = []
    for version in DocumentVersion.objects.order_by("document_id", "number").iterator():
        if version.kind != "reextraction":
            events.append(
                ChangeEvent(
                    document_id=version.document_id,
                    version_id=version.pk,
                    previous_version_id=previous.get(version.document_id),
                    summary=change_event_summary(
                        change_summary=version.change_summary, text=version.text
                    ),
                    created_at=version.captured_at,
                )
            )
        previous[version.document_id] = version.pk
    ChangeEvent.objects.bulk_create(events, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_pipeline_state"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("summary", models.JSONField(blank=True, default=dict, help_text="Sections added, removed and reworded (plain-text titles), words added and removed.")),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("document", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="change_events", to="documents.document")),
                ("previous_version", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="documents.documentversion")),
                ("version", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="change_event", to="documents.documentversion")),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["document", "created_at"], name="changeevent_doc_created")],
            },
        ),
        migrations.RunPython(change_events_backfill, migrations.RunPython.noop),
    ]
