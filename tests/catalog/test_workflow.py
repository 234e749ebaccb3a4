import pytest
from django.contrib.auth.models import Permission

from apps.core.exceptions import ApplicationError
from apps.provisions.models import (
    Provision,
    ProvisionStatus,
    ProvisionTransition,
    TransitionAction,
)
from apps.provisions.services import provision_transition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBMIT = TransitionAction.SUBMIT
REQUEST_CHANGES = TransitionAction.REQUEST_CHANGES
PUBLISH = TransitionAction.PUBLISH
UNPUBLISH = TransitionAction.UNPUBLISH


def _state(provision: Provision) -> tuple:
    stored = Provision.objects.get(pk=provision.pk)
    return (
        stored.status,
        stored.published_at,
        stored.submitted_by_id,
        ProvisionTransition.objects.filter(provision=provision).count(),
        stored.history.count(),
    )


def test_a_submission_published_by_a_second_curator(ready_provision, submitter, reviewer):
    in_review = provision_transition(
        provision=ready_provision, action=SUBMIT, by=submitter, comment="Ready, I think"
    )
    assert in_review.status == ProvisionStatus.IN_REVIEW
    assert in_review.submitted_by == submitter
    assert not Provision.objects.published().filter(pk=ready_provision.pk).exists()

    published = provision_transition(
        provision=ready_provision, action=PUBLISH, by=reviewer, comment="Checked the quote"
    )

    assert published.status == ProvisionStatus.PUBLISHED
    assert published.published_at is not None
    steps = list(ProvisionTransition.objects.filter(provision=ready_provision).order_by("pk"))
    assert [(s.action, s.by, s.comment) for s in steps] == [
        (SUBMIT, submitter, "Ready, I think"),
        (PUBLISH, reviewer, "Checked the quote"),
    ]
    latest, previous = ready_provision.history.all()[:2]
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        ProvisionStatus.PUBLISHED,
        reviewer,
        "Checked the quote",
    )
    assert (previous.status, previous.history_user) == (ProvisionStatus.IN_REVIEW, submitter)


def test_the_submitter_cannot_publish_their_own_submission(ready_provision, submitter, reviewer):
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)
    before = _state(ready_provision)

    with pytest.raises(ApplicationError, match="another curator must publish it"):
        provision_transition(provision=ready_provision, action=PUBLISH, by=submitter)
    # Claiming to be alone does not help while another curator exists.
    with pytest.raises(ApplicationError, match="2 curators can publish"):
        provision_transition(
            provision=ready_provision, action=PUBLISH, by=submitter, sole_curator_override=True
        )

    assert _state(ready_provision) == before


def test_the_only_curator_may_publish_their_own_submission_by_saying_so(
    ready_provision, make_curator
):
    alone = make_curator("alone@conductatlas.test")
    provision_transition(provision=ready_provision, action=SUBMIT, by=alone)

    with pytest.raises(ApplicationError, match="tick"):
        provision_transition(provision=ready_provision, action=PUBLISH, by=alone)
    published = provision_transition(
        provision=ready_provision,
        action=PUBLISH,
        by=alone,
        comment="Only curator this month",
        sole_curator_override=True,
    )

    assert published.status == ProvisionStatus.PUBLISHED
    step = ProvisionTransition.objects.filter(provision=ready_provision, action=PUBLISH).get()
    assert step.sole_curator_override
    assert step.comment == "Only curator this month"


def test_a_superuser_counts_as_a_curator_for_four_eyes(ready_provision, make_curator, curator):
    # `curator` is a superuser: with them around, nobody is the only curator.
    alone = make_curator("alone@conductatlas.test")
    provision_transition(provision=ready_provision, action=SUBMIT, by=alone)

    with pytest.raises(ApplicationError, match="2 curators can publish"):
        provision_transition(
            provision=ready_provision, action=PUBLISH, by=alone, sole_curator_override=True
        )


def test_publishing_requires_analysis_memo_regulation_and_agency(
    cited_provision, submitter, reviewer
):
    Provision.objects.filter(pk=cited_provision.pk).update(why_it_matters="", action_items=" ")
    provision_transition(provision=cited_provision, action=SUBMIT, by=submitter)
    before = _state(cited_provision)

    with pytest.raises(ApplicationError) as refused:
        provision_transition(provision=cited_provision, action=PUBLISH, by=reviewer)

    message = refused.value.message
    assert "write why it matters, action items" in message
    assert 'record "no regulation applies"' in message
    assert 'record "no agency is competent"' in message
    assert _state(cited_provision) == before


def test_recorded_none_stands_in_for_regulation_and_agency(cited_provision, submitter, reviewer):
    Provision.objects.filter(pk=cited_provision.pk).update(
        no_regulation_applies=True, no_agency_applies=True
    )
    provision_transition(provision=cited_provision, action=SUBMIT, by=submitter)

    published = provision_transition(provision=cited_provision, action=PUBLISH, by=reviewer)

    assert published.status == ProvisionStatus.PUBLISHED


@pytest.mark.parametrize(
    "status, action",
    [
        (ProvisionStatus.DRAFT, PUBLISH),
        (ProvisionStatus.DRAFT, REQUEST_CHANGES),
        (ProvisionStatus.DRAFT, UNPUBLISH),
        (ProvisionStatus.IN_REVIEW, SUBMIT),
        (ProvisionStatus.IN_REVIEW, UNPUBLISH),
        (ProvisionStatus.PUBLISHED, SUBMIT),
        (ProvisionStatus.PUBLISHED, PUBLISH),
        (ProvisionStatus.PUBLISHED, REQUEST_CHANGES),
    ],
)
def test_a_step_not_allowed_from_the_status_changes_nothing(
    ready_provision, reviewer, status, action
):
    Provision.objects.filter(pk=ready_provision.pk).update(status=status)
    before = _state(ready_provision)

    with pytest.raises(ApplicationError, match=f"is {ProvisionStatus(status).label.lower()}: "):
        provision_transition(provision=ready_provision, action=action, by=reviewer)

    assert _state(ready_provision) == before


def test_staff_outside_the_curators_group_cannot_take_steps(ready_provision):
    staff = UserFactory(email="staff@conductatlas.test", is_staff=True)

    with pytest.raises(ApplicationError, match="Curators group"):
        provision_transition(provision=ready_provision, action=SUBMIT, by=staff)

    assert Provision.objects.get(pk=ready_provision.pk).status == ProvisionStatus.DRAFT


def test_curate_review_and_publish_are_separate_rights(ready_provision, submitter):
    drafter = UserFactory(email="drafter@conductatlas.test", is_staff=True)
    drafter.user_permissions.add(
        Permission.objects.get(codename="curate_provision", content_type__app_label="provisions")
    )
    provision_transition(provision=ready_provision, action=SUBMIT, by=drafter)

    with pytest.raises(ApplicationError, match="right to publish"):
        provision_transition(provision=ready_provision, action=PUBLISH, by=drafter)
    with pytest.raises(ApplicationError, match="right to request changes"):
        provision_transition(provision=ready_provision, action=REQUEST_CHANGES, by=drafter)


def test_requested_changes_return_the_draft_with_the_comment(ready_provision, submitter, reviewer):
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)

    draft = provision_transition(
        provision=ready_provision,
        action=REQUEST_CHANGES,
        by=reviewer,
        comment="Quote the whole sentence",
    )

    assert draft.status == ProvisionStatus.DRAFT
    assert draft.history.first().history_change_reason == "Quote the whole sentence"


def test_unpublishing_hides_the_provision(ready_provision, submitter, reviewer):
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)
    provision_transition(provision=ready_provision, action=PUBLISH, by=reviewer)

    withdrawn = provision_transition(
        provision=ready_provision, action=UNPUBLISH, by=reviewer, comment="Clause moved"
    )

    assert withdrawn.status == ProvisionStatus.DRAFT
    assert withdrawn.published_at is None
    assert not Provision.objects.published().filter(pk=ready_provision.pk).exists()
    assert withdrawn.history.first().history_change_reason == "Clause moved"


def test_a_step_checks_the_stored_status_not_a_stale_copy(ready_provision, submitter):
    stale = Provision.objects.get(pk=ready_provision.pk)
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)

    with pytest.raises(ApplicationError):
        provision_transition(provision=stale, action=SUBMIT, by=submitter)


def test_publishing_clears_the_review_flag(ready_provision, submitter, reviewer):
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)
    Provision.objects.filter(pk=ready_provision.pk).update(
        needs_review=True, review_reason="Clause reworded"
    )

    published = provision_transition(provision=ready_provision, action=PUBLISH, by=reviewer)

    assert not published.needs_review
    assert published.review_reason == ""


def test_a_clause_not_in_its_cited_version_cannot_be_published(
    ready_provision, submitter, reviewer
):
    provision_transition(provision=ready_provision, action=SUBMIT, by=submitter)
    Provision.objects.filter(pk=ready_provision.pk).update(
        clause_text="We never train on your content."
    )

    with pytest.raises(ApplicationError, match="does not appear in the cited version"):
        provision_transition(provision=ready_provision, action=PUBLISH, by=reviewer)

    assert Provision.objects.get(pk=ready_provision.pk).status == ProvisionStatus.IN_REVIEW
