"""Provision impact moves from the documents app to the provisions app and hangs off the change
event: a new table, the existing rows copied over (documents 0004 then drops the old table).

An impact recorded on a technical re-extraction has no change event to hang off (re-extractions
are not changes at the source, and their reactions no longer run), so it is not carried over."""

import django.db.models.deletion
from django.db import migrations, models


def provision_impacts_copy(apps, schema_editor):
    OldImpact = apps.get_model("documents", "ProvisionImpact")
    ChangeEvent = apps.get_model("documents", "ChangeEvent")
    ProvisionImpact = apps.get_model("provisions", "ProvisionImpact")
    event_ids = dict(ChangeEvent.objects.values_list("version_id", "pk"))
    for old in OldImpact.objects.filter(version_id__in=event_ids).order_by("pk").iterator():
        ProvisionImpact.objects.create(
            change_event_id=event_ids[old.version_id],
            provision_id=old.provision_id,
            status=old.status,
            similarity=old.similarity,
            closest_passage=old.closest_passage,
        )
        # auto_now_add stamped the copy with today; it keeps the time it was assessed.
        ProvisionImpact.objects.filter(
            change_event_id=event_ids[old.version_id], provision_id=old.provision_id
        ).update(created_at=old.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0003_change_event"),
        ("provisions", "0004_provision_page_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProvisionImpact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("present", "Still present"), ("reworded", "Reworded"), ("gone", "Gone")], max_length=16)),
                ("similarity", models.FloatField(help_text="0 to 1: how close the closest passage is.")),
                ("closest_passage", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("change_event", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="provision_impacts", to="documents.changeevent")),
                ("provision", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="impacts", to="provisions.provision")),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [models.UniqueConstraint(fields=("change_event", "provision"), name="impact_unique_event_provision")],
            },
        ),
        migrations.RunPython(provision_impacts_copy, migrations.RunPython.noop),
    ]
