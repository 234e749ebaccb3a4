"""The curator workflow: a provision moves draft → in review → published.

Review is required: a draft cannot be published directly, and the curator who submitted a
provision cannot publish it (four eyes) unless they are the only curator and say so. Publishing
also requires the written analysis and memo, a regulation or a recorded "none applies", and an
agency or a recorded "none". Changes requested in review and unpublishing return it to draft.
Every step checks the actor's permission, is recorded with its comment (ProvisionTransition and
the provision's history), and either happens whole or not at all. The admin's buttons and its
bulk actions both come here, so they follow the same rules."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.platforms.models import Platform
from apps.provisions.models import (
    MEMO_FIELDS,
    Provision,
    ProvisionStatus,
    ProvisionTransition,
    TransitionAction,
)
from apps.provisions.selectors import publishing_curator_count
from apps.provisions.services.grades import platform_grades_recompute


@dataclass(frozen=True)
class TransitionRule:
    allowed_from: ProvisionStatus
    target: ProvisionStatus
    permission: str
    done: str


TRANSITION_RULES = {
    TransitionAction.SUBMIT: TransitionRule(
        ProvisionStatus.DRAFT,
        ProvisionStatus.IN_REVIEW,
        "provisions.curate_provision",
        "submitted for review",
    ),
    TransitionAction.REQUEST_CHANGES: TransitionRule(
        ProvisionStatus.IN_REVIEW,
        ProvisionStatus.DRAFT,
        "provisions.review_provision",
        "returned to draft with changes requested",
    ),
    TransitionAction.PUBLISH: TransitionRule(
        ProvisionStatus.IN_REVIEW,
        ProvisionStatus.PUBLISHED,
        "provisions.publish_provision",
        "published",
    ),
    TransitionAction.UNPUBLISH: TransitionRule(
        ProvisionStatus.PUBLISHED,
        ProvisionStatus.DRAFT,
        "provisions.publish_provision",
        "unpublished",
    ),
}

# What a reader sees first: a provision is not published without them.
ANALYSIS_FIELDS = ("summary", "why_it_matters", "consumer_impact")


def provision_publication_gaps(*, provision: Provision) -> list[str]:
    """What keeps this provision from being published, in words a curator can act on; empty
    when nothing does."""
    gaps = []
    blank = [
        Provision._meta.get_field(field).verbose_name
        for field in (*ANALYSIS_FIELDS, *MEMO_FIELDS)
        if not getattr(provision, field).strip()
    ]
    if blank:
        gaps.append("write " + ", ".join(blank))
    if not provision.no_regulation_applies and not provision.regulations.exists():
        gaps.append('map at least one regulation or record "no regulation applies"')
    if not provision.no_agency_applies and not provision.agencies.exists():
        gaps.append('add an applicable agency or record "no agency is competent"')
    return gaps


def provision_transition(
    *,
    provision: Provision,
    action: TransitionAction | str,
    by: AbstractBaseUser,
    comment: str = "",
    sole_curator_override: bool = False,
) -> Provision:
    """Take one workflow step, or raise ApplicationError saying why it is not allowed (and
    change nothing)."""
    action = TransitionAction(action)
    rule = TRANSITION_RULES[action]
    if not by.has_perm(rule.permission):
        raise ApplicationError(
            f"You do not have the right to {action.label.lower()}: ask an administrator to add "
            "you to the Curators group.",
            extra={"action": action.value},
        )
    with transaction.atomic():
        # Read the status under a row lock: two curators acting on the same provision at once
        # must not both pass the check against a stale status.
        current = Provision.objects.select_for_update().get(pk=provision.pk)
        if current.status != rule.allowed_from:
            raise ApplicationError(
                f"{current.record_id} is {current.get_status_display().lower()}: only a "
                f"provision that is {rule.allowed_from.label.lower()} can be {rule.done}.",
                extra={"record_id": current.record_id, "status": current.status},
            )
        if action == TransitionAction.PUBLISH:
            _publication_check(
                provision=current, by=by, sole_curator_override=sole_curator_override
            )
        previous_status = current.status
        current.status = rule.target
        if action == TransitionAction.SUBMIT:
            current.submitted_by = by
            current.submitted_at = timezone.now()
        elif action == TransitionAction.PUBLISH:
            current.published_at = timezone.now()
            current.needs_review = False
            current.review_reason = ""
            # A platform the import created goes public with its first reviewed provision.
            Platform.objects.filter(pk=current.document.platform_id, is_listed=False).update(
                is_listed=True
            )
        else:
            current.published_at = None
        try:
            current.full_clean()
        except ValidationError as error:
            raise ApplicationError(
                f"{current.record_id} cannot be {rule.done}: "
                + "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                ),
                extra={"record_id": current.record_id, "errors": error.message_dict},
            ) from error
        # simple-history reads these attributes when it writes the historical record.
        current._history_user = by
        current._change_reason = comment or action.label
        current.save()
        if ProvisionStatus.PUBLISHED in (previous_status, rule.target):
            platform_grades_recompute(platform_ids=[current.document.platform_id])
        ProvisionTransition.objects.create(
            provision=current,
            action=action,
            from_status=previous_status,
            to_status=rule.target,
            by=by,
            comment=comment,
            sole_curator_override=(
                action == TransitionAction.PUBLISH and current.submitted_by_id == by.pk
            ),
        )
    return current


def _publication_check(
    *, provision: Provision, by: AbstractBaseUser, sole_curator_override: bool
) -> None:
    if provision.submitted_by_id == by.pk:
        if not sole_curator_override:
            raise ApplicationError(
                f"You submitted {provision.record_id} for review, so another curator must "
                "publish it (four eyes). If you are the only curator, tick \u201cI am the only "
                "curator\u201d.",
                extra={"record_id": provision.record_id, "rule": "four_eyes"},
            )
        curators = publishing_curator_count()
        if curators > 1:
            raise ApplicationError(
                f"You submitted {provision.record_id} for review and {curators} curators can "
                "publish: ask another one to publish it (four eyes).",
                extra={"record_id": provision.record_id, "rule": "four_eyes"},
            )
    gaps = provision_publication_gaps(provision=provision)
    if gaps:
        raise ApplicationError(
            f"{provision.record_id} cannot be published yet: " + "; ".join(gaps) + ".",
            extra={"record_id": provision.record_id, "gaps": gaps},
        )
