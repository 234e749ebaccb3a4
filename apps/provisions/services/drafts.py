"""New draft provisions written from a suggestion (the clause classifier's, apps/assist)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from apps.core.exceptions import ApplicationError
from apps.documents.models import Document, DocumentVersion
from apps.provisions.models import ClauseType, Provision, ProvisionStatus, Severity


def _errors_text(error: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())


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
    up. The analysis a draft cannot know yet stays blank: publishing requires it (see
    workflow.provision_publication_gaps), so no placeholder can reach the public pages."""
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
