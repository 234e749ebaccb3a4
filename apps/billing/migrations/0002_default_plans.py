"""The three plans of the product brief. Later changes are made by an admin, not here."""

from decimal import Decimal

from django.db import migrations

DEFAULT_PLANS = [
    {
        "code": "free",
        "name": "Free",
        "description": "Track one platform and get the weekly governance digest.",
        "monthly_price": Decimal("0.00"),
        "trial_days": 0,
        "position": 0,
        "max_tracked_platforms": 1,
        "max_tracked_provisions": 0,
        "weekly_digest": True,
    },
    {
        "code": "watcher",
        "name": "Watcher",
        "description": "Same-day change alerts and regulatory citations for up to 10 platforms.",
        "monthly_price": Decimal("9.99"),
        "trial_days": 14,
        "position": 1,
        "max_tracked_platforms": 10,
        "max_tracked_provisions": 0,
        "weekly_digest": True,
        "same_day_alerts": True,
        "regulatory_citations": True,
    },
    {
        "code": "professional",
        "name": "Professional",
        "description": "The full compliance memo, provision-level monitoring, timelines, "
        "regulatory mapping and API access for up to 25 platforms.",
        "monthly_price": Decimal("149.00"),
        "trial_days": 14,
        "position": 2,
        "max_tracked_platforms": 25,
        "max_tracked_provisions": 250,
        "weekly_digest": True,
        "same_day_alerts": True,
        "regulatory_citations": True,
        "full_memo": True,
        "provision_monitoring": True,
        "governance_timelines": True,
        "regulatory_mapping": True,
        "api_access": True,
    },
]


def create_default_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for values in DEFAULT_PLANS:
        Plan.objects.get_or_create(code=values["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_default_plans, migrations.RunPython.noop)]
