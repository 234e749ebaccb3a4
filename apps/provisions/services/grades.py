"""Platform grades derive from published provisions' severities (apps/provisions/grades.py), so
every write that can change what is published, or a published provision's severity or platform,
recomputes the grades it touches in the same transaction: the workflow's publish and unpublish
steps (workflow.py), a curator's edit and deletions (here)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet

from apps.platforms.models import Platform
from apps.provisions.grades import grades_by_platform
from apps.provisions.models import Provision, ProvisionStatus


def provision_curated_save(*, provision: Provision) -> Provision:
    """Saves a curator's edit of a provision (already validated by the form) and recomputes the
    grades it can move: its severity may have changed, or its document, and with it the
    platform it counts for."""
    with transaction.atomic():
        previous_platform_id = (
            Provision.objects.filter(pk=provision.pk)
            .values_list("document__platform_id", flat=True)
            .first()
        )
        provision.save()
        if provision.status == ProvisionStatus.PUBLISHED:
            platform_grades_recompute(
                platform_ids={provision.document.platform_id, previous_platform_id} - {None}
            )
    return provision


def provisions_delete(*, provisions: QuerySet[Provision]) -> int:
    """Deletes provisions (their history keeps them) and recomputes the grades of the platforms
    they counted for; returns how many provisions were deleted."""
    with transaction.atomic():
        platform_ids = set(
            provisions.filter(status=ProvisionStatus.PUBLISHED).values_list(
                "document__platform_id", flat=True
            )
        )
        _total, deleted_by_model = provisions.delete()
        if platform_ids:
            platform_grades_recompute(platform_ids=platform_ids)
    return deleted_by_model.get(Provision._meta.label, 0)


def platform_grades_recompute(*, platform_ids: Iterable[int] | None = None) -> int:
    """Recomputes the stored grade of the given platforms (every platform when None) from their
    published provisions, and returns how many grades changed. Runs a fixed number of queries
    however many platforms it grades."""
    platforms = Platform.objects.all()
    published = Provision.objects.published()
    if platform_ids is not None:
        platform_ids = list(platform_ids)
        platforms = platforms.filter(pk__in=platform_ids)
        published = published.filter(document__platform_id__in=platform_ids)
    with transaction.atomic():
        # The platforms' rows are locked before their provisions are counted, so two curators
        # publishing on one platform at once grade it one after the other, the second seeing
        # the first's provision, instead of the last to commit keeping a grade without it.
        current = dict(platforms.select_for_update().order_by("pk").values_list("pk", "grade"))
        grades = grades_by_platform(
            published.values_list("document__platform_id", "severity")
            .annotate(count=Count("pk"))
            .order_by(),
            platform_ids=current,
        )
        regraded: dict[str, list[int]] = defaultdict(list)
        for platform_id, grade in grades.items():
            if grade != current[platform_id]:
                regraded[grade].append(platform_id)
        for grade, ids in regraded.items():
            Platform.objects.filter(pk__in=ids).update(grade=grade)
    return sum(len(ids) for ids in regraded.values())
