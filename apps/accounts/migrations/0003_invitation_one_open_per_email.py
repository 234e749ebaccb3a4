from django.db import migrations, models
from django.db.models.functions import Now


def close_duplicate_open_invitations(apps, schema_editor):
    """Before the constraint: of several open invitations of one address to one organization,
    the newest stays open and the older ones are marked withdrawn (their links stop working)."""
    Invitation = apps.get_model("accounts", "Invitation")
    open_invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("organization_id", "email", "-created_at", "-pk")
    seen = set()
    superseded = []
    for pk, organization_id, email in open_invitations.values_list(
        "pk", "organization_id", "email"
    ):
        if (organization_id, email) in seen:
            superseded.append(pk)
        seen.add((organization_id, email))
    Invitation.objects.filter(pk__in=superseded).update(revoked_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organizations"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_open_invitations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                fields=("organization", "email"),
                name="invitation_one_open_per_email",
            ),
        ),
    ]
