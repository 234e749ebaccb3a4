"""The Professional plan's description named governance timelines and regulatory mapping, which
the product does not deliver yet; the pricing page lists them as coming instead. A description an
admin has already rewritten is left alone."""

from django.db import migrations

PROMISING = (
    "The full compliance memo, provision-level monitoring, timelines, "
    "regulatory mapping and API access for up to 25 platforms."
)
DELIVERED = (
    "The full compliance memo, provision-level monitoring, same-day alerts "
    "and API access for up to 25 platforms."
)


def describe_delivered_features(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code="professional", description=PROMISING).update(description=DELIVERED)


def describe_promised_features(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code="professional", description=DELIVERED).update(description=PROMISING)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_plan_api_rates"),
    ]

    operations = [
        migrations.RunPython(describe_delivered_features, describe_promised_features),
    ]
