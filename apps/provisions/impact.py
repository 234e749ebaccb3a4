"""Provision impact: what a recorded change of a document did to its published provisions.

Runs after the change event's transaction has committed (from a task queued by the
`change_event_recorded` receiver, or called directly by whoever needs the impacts first), so it
never holds the document's row lock."""

from django.db import transaction

from apps.documents.diffing import PassageIndex
from apps.documents.models import ChangeEvent
from apps.documents.selectors import version_normalized_text
from apps.provisions.models import ImpactStatus, Provision, ProvisionImpact
from apps.provisions.signals import provision_impacts_recorded


def provision_impacts_assess(*, change_event: ChangeEvent) -> list[ProvisionImpact]:
    """Check every published provision of the event's document against the new text: the
    clause is still there, was reworded (closest passage kept) or is gone. Reworded and gone
    clauses flag their provision for curator review. Idempotent: a provision already assessed
    for this event keeps its impact and is not flagged again (a curator may have cleared it).
    A first record changes no clause anyone has cited, so it is not assessed.

    The clauses are located before any transaction (the closest-passage search of a long text
    must not hold the database's write lock); the new impacts are then written in one INSERT
    under the event's row lock, which serialises two assessments of one event."""
    if change_event.previous_version_id is None:
        return []
    provisions = list(Provision.objects.published().filter(document_id=change_event.document_id))
    if not provisions:
        return []
    assessed = _impacts_by_provision(change_event=change_event)
    pending = [provision for provision in provisions if provision.pk not in assessed]
    if pending:
        version = change_event.version
        index = PassageIndex(version.text, normalized=version_normalized_text(version=version))
        matches = {provision.pk: index.locate(provision.clause_text) for provision in pending}
        with transaction.atomic():
            list(
                ChangeEvent.objects.select_for_update()
                .filter(pk=change_event.pk)
                .values_list("pk", flat=True)
            )
            assessed = _impacts_by_provision(change_event=change_event)
            created = ProvisionImpact.objects.bulk_create(
                ProvisionImpact(
                    change_event=change_event,
                    provision=provision,
                    status=matches[provision.pk].status,
                    similarity=matches[provision.pk].similarity,
                    closest_passage=(
                        ""
                        if matches[provision.pk].status == ImpactStatus.PRESENT
                        else matches[provision.pk].passage
                    ),
                )
                for provision in pending
                if provision.pk not in assessed
            )
            if created:
                provision_impacts_recorded.send(
                    sender=ProvisionImpact,
                    provision_ids=[impact.provision_id for impact in created],
                )
            for impact in created:
                if impact.status != ImpactStatus.PRESENT:
                    _provision_flag(
                        provision=impact.provision, change_event=change_event, impact=impact
                    )
                assessed[impact.provision_id] = impact
    return [assessed[provision.pk] for provision in provisions]


def _impacts_by_provision(*, change_event: ChangeEvent) -> dict[int, ProvisionImpact]:
    return {
        impact.provision_id: impact
        for impact in ProvisionImpact.objects.filter(change_event=change_event)
    }


def _provision_flag(*, provision: Provision, change_event: ChangeEvent, impact: ProvisionImpact):
    version = change_event.version
    percent = round(impact.similarity * 100)
    if impact.status == ImpactStatus.REWORDED:
        what = f"its clause was reworded (closest passage, {percent}% similar)"
    else:
        what = f"its clause text is gone (closest passage only {percent}% similar)"
    reason = (
        f"Version {version.number} of {version.document.title} "
        f"({version.captured_at:%Y-%m-%d}): {what}."
    )
    if impact.closest_passage:
        reason += f"\nClosest passage: {impact.closest_passage}"
    provision.needs_review = True
    provision.review_reason = reason
    # Only the two fields set here are validated: the rest of the row is not written, and the
    # model's clean() would re-read and normalise the whole cited version for nothing.
    provision.clean_fields(exclude=_FIELDS_NOT_FLAGGED)
    provision.save(update_fields=["needs_review", "review_reason", "updated_at"])


_FIELDS_NOT_FLAGGED = [
    field.name
    for field in Provision._meta.concrete_fields
    if field.name not in ("needs_review", "review_reason")
]
