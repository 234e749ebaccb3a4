from collections import defaultdict

from django.db import migrations
from django.db.models import Count

from apps.provisions.grades import grades_by_platform


def grade_platforms(apps, schema_editor):
    """Grades the platforms already in the catalog; from here on the provisions services keep
    the grades current (and `manage.py recompute_grades` recomputes them all)."""
    Platform = apps.get_model("platforms", "Platform")
    Provision = apps.get_model("provisions", "Provision")
    grades = grades_by_platform(
        Provision.objects.filter(status="published")
        .values_list("document__platform_id", "severity")
        .annotate(count=Count("pk"))
        .order_by(),
        platform_ids=Platform.objects.values_list("pk", flat=True),
    )
    by_grade = defaultdict(list)
    for platform_id, grade in grades.items():
        if grade:  # the field's default already says "not graded"
            by_grade[grade].append(platform_id)
    for grade, platform_ids in by_grade.items():
        Platform.objects.filter(pk__in=platform_ids).update(grade=grade)


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0004_platform_grade"),
        ("provisions", "0005_provision_impact_from_documents"),
    ]

    operations = [migrations.RunPython(grade_platforms, migrations.RunPython.noop)]
