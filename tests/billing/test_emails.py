"""The billing emails: HTML and plain text, to the organization's owners only."""

import pytest

from apps.accounts.models import Membership, Role
from apps.billing.emails import EMAIL_KINDS, billing_email_send
from apps.billing.models import Plan, Subscription
from tests.factories import UserFactory
from tests.tiers import member_on_plan

pytestmark = pytest.mark.django_db

SUBJECTS = {
    "trial_started": "trial has started",
    "trial_ending": "ends in 3 days",
    "payment_failed": "Payment failed",
    "plan_changed": "is now on Watcher",
    "canceled": "was canceled",
}


@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_each_billing_email_has_html_and_text_and_reaches_owners_only(kind, mailoutbox):
    owner, organization = member_on_plan("free", email="owner@example.test")
    Membership.objects.create(
        organization=organization, user=UserFactory(email="member@example.test"), role=Role.MEMBER
    )
    subscription = Subscription.objects.create(
        organization=organization, plan=Plan.objects.get(code="watcher")
    )
    assert billing_email_send(organization=organization, kind=kind, subscription=subscription) == 1
    [message] = mailoutbox
    assert SUBJECTS[kind] in message.subject
    assert message.to == ["owner@example.test"]
    assert organization.name in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<p>" in html and f"/orgs/{organization.slug}/billing/" in html


def test_an_unknown_email_kind_is_a_programming_error():
    _owner, organization = member_on_plan("free")
    subscription = Subscription.objects.create(
        organization=organization, plan=Plan.objects.get(code="free")
    )
    with pytest.raises(ValueError, match="unknown billing email"):
        billing_email_send(organization=organization, kind="surprise", subscription=subscription)
