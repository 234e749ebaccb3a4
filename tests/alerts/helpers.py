"""Recorded changes and tracking organizations, as the pipeline and the dashboard make them."""

from apps.accounts.models import Membership, Role
from apps.documents.diffing import change_summary_build
from apps.documents.models import ChangeEvent, DocumentVersion, VersionKind
from apps.documents.services import change_event_record
from apps.monitoring.models import AlertPreference, WatchedPlatform, WatchedProvision
from tests.factories import DocumentVersionFactory, ProvisionFactory, UserFactory
from tests.tiers import member_on_plan

CLAUSE = "We may use your content to train our models."
OLD_TEXT = (
    "# Terms\n\n## Content\n\nYou keep your rights. " + CLAUSE + "\n\n"
    "## Payments\n\n| Plan | Price |\n|---|---|\n| Basic | 5 USD |\n\n- first item\n- second item\n"
)
NEW_TEXT = (
    "# Terms\n\n## Content\n\nYou keep your rights. We may use your content and your <b>chats</b> "
    "to train and improve our models.\n\n## Payments\n\n| Plan | Price |\n|---|---|\n"
    "| Basic | 7 USD |\n\n- first item\n- second item changed\n\n## Arbitration\n\n"
    "Disputes go to binding arbitration.\n"
)


def first_record(document, text: str = OLD_TEXT) -> DocumentVersion:
    return DocumentVersionFactory(document=document, number=1, text=text)


def record_change(previous: DocumentVersion, text: str = NEW_TEXT) -> ChangeEvent:
    """A new version of `previous`'s document and its change event, as the ingest writes them
    (the announcement waits for a commit the test never makes: tests run the reactions)."""
    version = DocumentVersionFactory(
        document=previous.document,
        number=previous.number + 1,
        kind=VersionKind.CHANGE,
        text=text,
        change_summary={
            "from_number": previous.number,
            **change_summary_build(previous.text, text),
        },
    )
    return change_event_record(version=version, previous_version=previous)


def tracked_clause(document, clause: str = CLAUSE):
    return ProvisionFactory(document=document, clause_text=clause, title="Training on content")


def organization_tracking(plan: str, *, platform=None, provision=None, **user_fields):
    """An owner on `plan` whose organization tracks the platform and/or the provision."""
    user, organization = member_on_plan(plan, **user_fields)
    if platform is not None:
        WatchedPlatform.objects.create(organization=organization, platform=platform)
    if provision is not None:
        WatchedProvision.objects.create(organization=organization, provision=provision)
    return user, organization


def add_member(organization, **user_fields):
    user = UserFactory(**user_fields)
    Membership.objects.create(organization=organization, user=user, role=Role.MEMBER)
    return user


def prefer(organization, user, frequency: str) -> AlertPreference:
    """A member's stored choice, as written when the plan allowed it."""
    return AlertPreference.objects.create(
        organization=organization,
        membership=Membership.objects.get(organization=organization, user=user),
        frequency=frequency,
    )
