"""Provision impact: what a recorded change of a document did to its published provisions.

Runs after the change event's transaction has committed (from a task queued by the
`change_event_recorded` receiver, or called directly by whoever needs the impacts first), so it
never holds the document's row lock."""

from django.db import transaction

from apps.documents.diffing import PassageIndex
from apps.documents.models import ChangeEvent
from apps.provisions.models import ImpactStatus, Provision, ProvisionImpact


def provision_impacts_assess(*, change_event: ChangeEvent) -> list[ProvisionImpact]:
    """Check every published provision of the event's document against the new text: the
    clause is still there, was reworded (closest passage kept) or is gone. Reworded and gone
    clauses flag their provision for curator review. Idempotent: a provision already assessed
    for this event keeps its impact and is not flagged again (a curator may have cleared it).
    A first record changes no clause anyone has cited, so it is not assessed."""
    if change_event.previous_version_id is None:
        return []
    version = change_event.version
    provisions = list(Provision.objects.published().filter(document_id=change_event.document_id))
    if not provisions:
        return []
    assessed = {
        impact.provision_id: impact
        for impact in ProvisionImpact.objects.filter(change_event=change_event)
    }
    index = None
    impacts = []
    for provision in provisions:
        if provision.pk in assessed:
            impacts.append(assessed[provision.pk])
            continue
        index = index or PassageIndex(version.text)
        match = index.locate(provision.clause_text)
        with transaction.atomic():
            impact, created = ProvisionImpact.objects.get_or_create(
                change_event=change_event,
                provision=provision,
                defaults={
                    "status": match.status,
                    "similarity": match.similarity,
                    "closest_passage": (
                        "" if match.status == ImpactStatus.PRESENT else match.passage
                    ),
                },
            )
            if created and impact.status != ImpactStatus.PRESENT:
                _provision_flag(provision=provision, change_event=change_event, impact=impact)
        impacts.append(impact)
    return impacts


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
    provision.full_clean()
    provision.save(update_fields=["needs_review", "review_reason", "updated_at"])
