from django.db import migrations


class Migration(migrations.Migration):
    """The old impact table goes once provisions 0005 has copied its rows to the provisions app."""

    dependencies = [
        ("documents", "0003_change_event"),
        ("provisions", "0005_provision_impact_from_documents"),
    ]

    operations = [
        migrations.DeleteModel(name="ProvisionImpact"),
    ]
