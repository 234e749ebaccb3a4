import pytest

from apps.core.exceptions import ApplicationError
from apps.provisions.models import Provision, ProvisionStatus
from apps.provisions.services import (
    provision_publish,
    provision_return_to_draft,
    provision_submit_for_review,
)

pytestmark = pytest.mark.django_db


def test_draft_goes_through_review_to_published(cited_provision, curator):
    in_review = provision_submit_for_review(provision=cited_provision, by=curator)
    assert in_review.status == ProvisionStatus.IN_REVIEW
    assert in_review.published_at is None
    assert not Provision.objects.published().filter(pk=cited_provision.pk).exists()

    published = provision_publish(provision=in_review, by=curator)

    assert published.status == ProvisionStatus.PUBLISHED
    assert published.published_at is not None
    assert Provision.objects.published().filter(pk=cited_provision.pk).exists()


def test_draft_cannot_be_published_without_review(cited_provision):
    with pytest.raises(ApplicationError, match="only a provision that is in review"):
        provision_publish(provision=cited_provision)

    cited_provision.refresh_from_db()
    assert cited_provision.status == ProvisionStatus.DRAFT
    assert cited_provision.published_at is None


@pytest.mark.parametrize("status", [ProvisionStatus.IN_REVIEW, ProvisionStatus.PUBLISHED])
def test_only_drafts_can_be_submitted(cited_provision, status):
    Provision.objects.filter(pk=cited_provision.pk).update(status=status)

    with pytest.raises(ApplicationError, match="only a provision that is draft"):
        provision_submit_for_review(provision=cited_provision)


def test_a_draft_cannot_be_returned_to_draft(cited_provision):
    with pytest.raises(ApplicationError):
        provision_return_to_draft(provision=cited_provision)


def test_withdrawing_a_published_provision_hides_it(cited_provision):
    provision_publish(provision=provision_submit_for_review(provision=cited_provision))

    withdrawn = provision_return_to_draft(provision=cited_provision, reason="Clause moved")

    assert withdrawn.status == ProvisionStatus.DRAFT
    assert withdrawn.published_at is None
    assert not Provision.objects.published().filter(pk=cited_provision.pk).exists()
    assert withdrawn.history.first().history_change_reason == "Clause moved"


def test_transition_checks_the_stored_status_not_a_stale_copy(cited_provision):
    stale = Provision.objects.get(pk=cited_provision.pk)
    provision_submit_for_review(provision=cited_provision)

    with pytest.raises(ApplicationError):
        provision_submit_for_review(provision=stale)


def test_publishing_clears_the_review_flag(cited_provision):
    Provision.objects.filter(pk=cited_provision.pk).update(
        status=ProvisionStatus.IN_REVIEW, needs_review=True, review_reason="Clause reworded"
    )

    published = provision_publish(provision=cited_provision)

    assert not published.needs_review
    assert published.review_reason == ""


def test_a_provision_whose_clause_is_not_in_its_version_cannot_be_published(cited_provision):
    Provision.objects.filter(pk=cited_provision.pk).update(
        status=ProvisionStatus.IN_REVIEW, clause_text="We never train on your content."
    )

    with pytest.raises(ApplicationError, match="does not appear in the cited version"):
        provision_publish(provision=cited_provision)

    cited_provision.refresh_from_db()
    assert cited_provision.status == ProvisionStatus.IN_REVIEW


def test_each_transition_is_recorded_with_its_curator(cited_provision, curator):
    provision_publish(
        provision=provision_submit_for_review(provision=cited_provision, by=curator), by=curator
    )

    latest, previous = cited_provision.history.all()[:2]
    assert (latest.status, latest.history_user) == (ProvisionStatus.PUBLISHED, curator)
    assert (previous.status, previous.history_user) == (ProvisionStatus.IN_REVIEW, curator)
