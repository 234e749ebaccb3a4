"""Writes of the provisions app: the curator workflow.

A provision moves draft → in review → published. Review is required: a draft cannot be
published directly, so every public provision has been looked at twice (once when a curator
submits it, once when it is published). Returning to draft is allowed from review (changes
requested) and from published (withdrawn from the public pages).

Platform grades derive from published provisions' severities, so every write here that can
change what is published, or a published provision's severity or platform, recomputes the
grades it touches in the same transaction."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from apps.core.exceptions import ApplicationError
from apps.documents.models import Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions.grades import grades_by_platform
from apps.provisions.models import ClauseType, Provision, ProvisionStatus, Severity

# What a new draft says in the analysis fields a curator has not written yet.
DRAFT_PLACEHOLDER = "To be written by a curator."


def _errors_text(error: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())


def _provision_transition(
    *,
    provision: Provision,
    allowed_from: set[str],
    target: str,
    action: str,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> Provision:
    with transaction.atomic():
        # Read the status under a row lock: two curators acting on the same provision at once
        # must not both pass the check against a stale status.
        current = Provision.objects.select_for_update().get(pk=provision.pk)
        if current.status not in allowed_from:
            allowed = " or ".join(
                sorted(ProvisionStatus(status).label.lower() for status in allowed_from)
            )
            raise ApplicationError(
                f"{current.record_id} is {current.get_status_display().lower()}: "
                f"only a provision that is {allowed} can be {action}.",
                extra={"record_id": current.record_id, "status": current.status},
            )
        previous_status = current.status
        current.status = target
        if target == ProvisionStatus.PUBLISHED:
            current.published_at = timezone.now()
            current.needs_review = False
            current.review_reason = ""
        elif target == ProvisionStatus.DRAFT:
            current.published_at = None
        try:
            current.full_clean()
        except ValidationError as error:
            raise ApplicationError(
                f"{current.record_id} cannot be {action}: {_errors_text(error)}",
                extra={"record_id": current.record_id, "errors": error.message_dict},
            ) from error
        # simple-history reads these attributes when it writes the historical record; without
        # `_history_user` it falls back to the request's user (HistoryRequestMiddleware).
        if by is not None:
            current._history_user = by
        current._change_reason = reason or action.capitalize()
        current.save()
        if ProvisionStatus.PUBLISHED in (previous_status, target):
            platform_grades_recompute(platform_ids=[current.document.platform_id])
    return current


def provision_submit_for_review(
    *, provision: Provision, by: AbstractBaseUser | None = None
) -> Provision:
    return _provision_transition(
        provision=provision,
        allowed_from={ProvisionStatus.DRAFT},
        target=ProvisionStatus.IN_REVIEW,
        action="submitted for review",
        by=by,
    )


def provision_publish(*, provision: Provision, by: AbstractBaseUser | None = None) -> Provision:
    return _provision_transition(
        provision=provision,
        allowed_from={ProvisionStatus.IN_REVIEW},
        target=ProvisionStatus.PUBLISHED,
        action="published",
        by=by,
    )


def provision_return_to_draft(
    *, provision: Provision, by: AbstractBaseUser | None = None, reason: str = ""
) -> Provision:
    return _provision_transition(
        provision=provision,
        allowed_from={ProvisionStatus.IN_REVIEW, ProvisionStatus.PUBLISHED},
        target=ProvisionStatus.DRAFT,
        action="returned to draft",
        by=by,
        reason=reason,
    )


def _free_slug(*, document_id: int, title: str) -> str:
    base = slugify(title)[:180] or "provision"
    taken = set(
        Provision.objects.filter(document_id=document_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def provision_draft_create(
    *,
    document: Document,
    clause_type: ClauseType,
    clause_text: str,
    cited_version: DocumentVersion,
    title: str,
    summary: str,
    severity: int = Severity.MEDIUM,
    by: AbstractBaseUser | None = None,
    reason: str = "Created as a draft",
) -> Provision:
    """A new draft provision quoting `clause_text` from `cited_version`, for a curator to write
    up. The analysis fields a draft cannot know yet say so; publishing still needs review."""
    provision = Provision(
        document=document,
        title=title[:255],
        slug=_free_slug(document_id=document.pk, title=title),
        status=ProvisionStatus.DRAFT,
        severity=severity,
        clause_type=clause_type,
        clause_text=clause_text,
        cited_version=cited_version,
        summary=summary,
        why_it_matters=DRAFT_PLACEHOLDER,
        consumer_impact=DRAFT_PLACEHOLDER,
    )
    try:
        provision.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            f"The draft provision is not valid: {_errors_text(error)}",
            extra={"errors": error.message_dict},
        ) from error
    if by is not None:
        provision._history_user = by
    provision._change_reason = reason
    provision.save()
    return provision


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
