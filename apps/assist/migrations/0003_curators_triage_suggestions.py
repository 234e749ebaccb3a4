"""Curators triage clause suggestions: the Curators group (provisions 0008) gets the rights the
suggestion admin asks for (viewing suggestions and classifications, and "change clause
suggestion", which accepting or rejecting one needs)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = "Curators"
WANTED = [
    ("assist", "view_clausesuggestion"),
    ("assist", "change_clausesuggestion"),
    ("assist", "view_versionclassification"),
]


def add_triage_rights(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate).
    app_config = apps.get_app_config("assist")
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    else:
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CURATORS)
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in WANTED
        )
    )


def remove_triage_rights(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=CURATORS).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="assist", codename__in=[c for _, c in WANTED]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assist", "0002_unfair_tos_clause_types"),
        ("provisions", "0009_curators_group"),
    ]

    operations = [migrations.RunPython(add_triage_rights, remove_triage_rights)]
