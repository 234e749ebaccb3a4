"""The "Curators" permission group: what a staff member needs to curate the catalog in the admin
without being a superuser. It holds the three workflow rights (curate, review, publish) as
separate permissions, so an administrator can also build narrower groups from them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = "Curators"

# (app label, model, actions): the built-in add/change/delete/view plus the workflow rights.
CURATOR_PERMISSIONS = [
    ("provisions", "provision", ["add", "change", "view"]),
    ("provisions", "provisionagency", ["add", "change", "delete", "view"]),
    ("provisions", "faqentry", ["add", "change", "delete", "view"]),
    ("provisions", "clausetype", ["add", "change", "view"]),
    ("provisions", "category", ["add", "change", "view"]),
    ("provisions", "analysisarticle", ["view"]),
    ("provisions", "provisionimpact", ["view"]),
    ("provisions", "provisiontransition", ["view"]),
    ("documents", "document", ["add", "change", "view"]),
    ("documents", "documentversion", ["view"]),
    ("documents", "fetchattempt", ["view"]),
    ("documents", "changeevent", ["view"]),
    ("documents", "archivedsnapshot", ["view"]),
    ("platforms", "platform", ["add", "change", "view"]),
    ("regulations", "regulation", ["view"]),
    ("regulations", "agency", ["view"]),
]
WORKFLOW_PERMISSIONS = ["curate_provision", "review_provision", "publish_provision"]


def create_curators_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); this group needs
    # them now, including the new workflow ones.
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            # A migration state's app config has no models module, which create_permissions
            # takes as "nothing to do"; tests call this on the real registry, which has one.
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CURATORS)
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, model, actions in CURATOR_PERMISSIONS
        for action in actions
    ] + [("provisions", codename) for codename in WORKFLOW_PERMISSIONS]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group.permissions.add(*permissions)


def remove_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CURATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("provisions", "0008_curator_workflow_and_tosdr_import"),
        ("documents", "0016_document_source_url_optional_when_unmonitored"),
        ("platforms", "0005_platform_is_listed"),
        ("regulations", "0002_url_fields_http_only"),
    ]

    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]
