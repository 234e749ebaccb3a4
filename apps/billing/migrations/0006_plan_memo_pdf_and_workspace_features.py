"""The memo PDF becomes a plan feature of its own (Professional by default), and governance
timelines and regulatory mapping now exist, so the Professional plan's description names them. A
description an admin has already rewritten is left alone."""

from django.db import migrations, models

BEFORE = (
    "The full compliance memo, provision-level monitoring, same-day alerts "
    "and API access for up to 25 platforms."
)
AFTER = (
    "The full compliance memo as a page and an audit-ready PDF, governance timelines, "
    "regulatory mapping, provision-level monitoring and API access for up to 25 platforms."
)


def grant_workspace_features(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code="professional").update(memo_pdf=True)
    Plan.objects.filter(code="professional", description=BEFORE).update(description=AFTER)


def describe_without_workspace_features(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code="professional", description=AFTER).update(description=BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_professional_description_without_unbuilt_features"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalplan",
            name="memo_pdf",
            field=models.BooleanField(
                default=False,
                help_text="Downloads compliance memos as PDF files, with the memo parts the "
                "plan sees.",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="memo_pdf",
            field=models.BooleanField(
                default=False,
                help_text="Downloads compliance memos as PDF files, with the memo parts the "
                "plan sees.",
            ),
        ),
        migrations.RunPython(grant_workspace_features, describe_without_workspace_features),
    ]
