"""The pricing page and the locked-memo block: prices from the plan data, the current plan
marked, and the right action for each viewer; without Stripe keys, requests an admin grants."""

import re
from dataclasses import replace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_scopes import ScopeError, scope

from apps.accounts.models import Membership, Role
from apps.billing.entitlements import PLAN_FEATURES
from apps.billing.models import Plan, Subscription, UpgradeRequest
from apps.billing.services import upgrade_request_create
from tests.billing.helpers import customer_org, plan_code
from tests.factories import TEST_PASSWORD, ProvisionFactory, UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db

PRICING = "/pricing/"


def _card(html: str, code: str) -> str:
    """The pricing page's card of one plan."""
    [card] = [piece for piece in html.split('<li class="card plan') if f'id="plan-{code}"' in piece]
    return card


def test_pricing_is_linked_from_the_header_and_the_footer():
    html = Client().get("/").content.decode()
    header = html[html.index('<nav class="site-nav"') : html.index("</header>")]
    footer = html[html.index("<footer") :]
    assert f'href="{PRICING}"' in header
    assert f'href="{PRICING}"' in footer


def test_a_visitor_is_offered_signup_with_the_plan_remembered_and_told_payment_is_off():
    html = Client().get(PRICING).content.decode()
    assert "$9.99" in html and "$149.00" in html
    assert "/accounts/signup/?next=%2Fpricing%2F%3Fplan%3Dwatcher" in html
    assert "Online payment is not configured" in html


def test_a_feature_is_ticked_only_where_the_plan_has_it():
    html = Client().get(PRICING).content.decode()
    free = _card(html, "free")
    professional = _card(html, "professional")
    assert "Same-day change alerts" not in free
    assert "API access" not in free
    assert "<li>Full compliance memo</li>" in professional
    assert "Full compliance memo" not in free


def test_a_free_owner_sees_the_current_plan_and_a_trial(fake_stripe):
    owner, _organization = member_on_plan("free")
    html = csrf_client(owner).get(PRICING).content.decode()
    assert "Your current plan" in _card(html, "free")
    watcher = _card(html, "watcher")
    assert "Start 14-day free trial" in watcher
    assert 'name="trial" value="1"' in watcher
    assert "Payments are handled by Stripe" in html


def test_after_a_trial_the_action_is_upgrade(fake_stripe):
    owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        trial_used_at="2026-01-01T00:00:00Z"
    )
    html = csrf_client(owner).get(PRICING).content.decode()
    assert "Upgrade to Watcher" in _card(html, "watcher")
    assert "free trial</button>" not in html


def test_a_subscriber_changes_plan_in_the_portal(fake_stripe):
    owner, organization = customer_org()
    Subscription.objects.filter(organization=organization).update(
        plan=Plan.objects.get(code="watcher"), status="active", stripe_subscription_id="sub_1"
    )
    html = csrf_client(owner).get(PRICING).content.decode()
    assert "Your current plan" in _card(html, "watcher")
    assert "Upgrade to Professional" in _card(html, "professional")
    assert reverse("billing:portal", kwargs={"org_slug": organization.slug}) in _card(
        html, "professional"
    )
    assert "Cancel in billing" in _card(html, "free")


def test_a_plain_member_is_told_to_ask_an_owner(fake_stripe):
    _owner, organization = member_on_plan("free")
    member = UserFactory()
    Membership.objects.create(organization=organization, user=member, role=Role.MEMBER)
    html = csrf_client(member).get(PRICING).content.decode()
    assert "Ask an owner or admin" in _card(html, "watcher")
    assert reverse("billing:checkout", kwargs={"org_slug": organization.slug}) not in html


def test_yearly_prices_where_a_yearly_price_is_configured(fake_stripe):
    owner, _organization = member_on_plan("free")
    html = csrf_client(owner).get(PRICING, {"interval": "yearly"}).content.decode()
    watcher = _card(html, "watcher")
    assert "$99.00" in watcher and "/ year" in watcher
    assert 'name="interval" value="yearly"' in watcher
    professional = _card(html, "professional")
    assert "$149.00" in professional and "/ month" in professional


def test_without_keys_a_member_requests_a_plan_and_an_admin_grants_it():
    owner, organization = member_on_plan("free")
    client = csrf_client(owner)
    html = client.get(PRICING).content.decode()
    assert "Request Watcher" in _card(html, "watcher")
    url = reverse("billing:upgrade_request", kwargs={"org_slug": organization.slug})
    response = csrf_post(client, url, {"plan": "watcher", "next": PRICING}, form_page=PRICING)
    assert response.status_code == 302
    assert response["Location"] == PRICING
    upgrade_request = UpgradeRequest.objects.get(organization=organization)
    assert plan_code(organization) == "free"

    curator = csrf_client(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:billing_upgraderequest_changelist")
    assert escape(organization.name) in curator.get(changelist).content.decode()
    granted = csrf_post(
        curator,
        changelist,
        {"action": "grant_requested_plan", "_selected_action": [upgrade_request.pk]},
        form_page=changelist,
    )
    assert granted.status_code == 302
    assert plan_code(organization) == "watcher"
    upgrade_request.refresh_from_db()
    assert upgrade_request.handled_at is not None


def test_a_request_for_the_free_plan_is_refused():
    owner, organization = member_on_plan("free")
    url = reverse("billing:upgrade_request", kwargs={"org_slug": organization.slug})
    csrf_post(csrf_client(owner), url, {"plan": "free"}, form_page=organization.get_absolute_url())
    assert not UpgradeRequest.objects.exists()


def test_the_locked_memo_block_shows_prices_and_the_way_in():
    provision = ProvisionFactory()
    html = Client().get(provision.get_absolute_url()).content.decode()
    block = html[html.index('<div class="locked">') :]
    assert "$9.99" in block and "$149.00" in block
    assert "/accounts/signup/?next=%2Fpricing%2F%3Fplan%3Dprofessional" in block


def test_the_locked_memo_block_leads_a_free_owner_to_checkout(fake_stripe):
    owner, organization = member_on_plan("free")
    provision = ProvisionFactory()
    html = csrf_client(owner).get(provision.get_absolute_url()).content.decode()
    block = html[html.index('<div class="locked">') :]
    assert reverse("billing:checkout", kwargs={"org_slug": organization.slug}) in block
    assert "Start 14-day free trial" in block
    assert "/accounts/signup/" not in block


def test_the_chosen_plan_is_remembered_through_email_verification():
    client = csrf_client()
    next_url = f"{PRICING}?plan=watcher"
    signup = f"/accounts/signup/?next={next_url}"
    csrf_post(
        client,
        signup,
        {
            "email": "chooser@example.test",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
            "next": next_url,
        },
        form_page=signup,
    )
    body = mail.outbox[-1].body
    confirm_path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
    confirmed = csrf_post(client, confirm_path, form_page=confirm_path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == next_url
    page = client.get(confirmed["Location"]).content.decode()
    assert "plan--chosen" in _card(page, "watcher")


def test_upgrade_requests_are_private_to_their_organization(two_orgs):
    for organization, owner in (
        (two_orgs.org_a, two_orgs.owner_a),
        (two_orgs.org_b, two_orgs.owner_b),
    ):
        upgrade_request_create(organization=organization, actor=owner, plan_code="watcher")
    with scope(), pytest.raises(ScopeError):
        list(UpgradeRequest.objects.all())
    with scope(organization=two_orgs.org_a):
        assert {r.organization_id for r in UpgradeRequest.objects.all()} == {two_orgs.org_a.pk}


def _descriptions_promising_unbuilt_features(plans, features) -> list[tuple[str, str]]:
    unbuilt = [feature for feature in features if not feature.live]
    return [
        (plan.code, feature.label)
        for plan in plans
        for feature in unbuilt
        # "Governance timelines" → "timelines", "Regulatory mapping" → "mapping"
        if feature.label.lower().split()[-1] in plan.description.lower()
    ]


def test_no_plan_description_promises_a_feature_that_is_not_live():
    """A plan's own words must not sell what the product does not deliver yet: the pricing page
    lists such features as coming, apart from the description."""
    assert _descriptions_promising_unbuilt_features(Plan.objects.all(), PLAN_FEATURES) == []


def test_the_description_check_catches_a_promise_of_an_unbuilt_feature():
    professional = Plan.objects.get(code="professional")
    assert "mapping" in professional.description
    not_yet = tuple(
        replace(feature, live=False) if feature.code == "regulatory_mapping" else feature
        for feature in PLAN_FEATURES
    )
    assert _descriptions_promising_unbuilt_features([professional], not_yet) == [
        ("professional", "Regulatory mapping")
    ]
