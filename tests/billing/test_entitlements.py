"""Plans are data; apps/billing/entitlements.py turns an organization's plan into what it may do."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import BooleanField
from django.test import RequestFactory

from apps.accounts.models import Membership, Role
from apps.accounts.services import organization_create, organization_switch
from apps.billing import entitlements as entitlements_module
from apps.billing.admin import PlanAdmin
from apps.billing.entitlements import (
    PLAN_FEATURES,
    VISITOR,
    Usage,
    entitlements_for_organization,
    entitlements_for_request,
    platform_quota,
    provision_quota,
)
from apps.billing.models import Plan, Subscription
from apps.billing.services import subscription_grant
from tests.factories import UserFactory
from tests.tiers import csrf_client, member_on_plan

pytestmark = pytest.mark.django_db


def test_the_data_migration_creates_the_product_plans():
    plans = {plan.code: plan for plan in Plan.objects.all()}
    assert set(plans) == {"free", "watcher", "professional"}

    free, watcher, professional = plans["free"], plans["watcher"], plans["professional"]
    assert (free.monthly_price, free.max_tracked_platforms) == (Decimal("0.00"), 1)
    assert free.weekly_digest and not free.same_day_alerts and not free.regulatory_citations
    assert (watcher.monthly_price, watcher.max_tracked_platforms) == (Decimal("9.99"), 10)
    assert watcher.same_day_alerts and watcher.regulatory_citations and not watcher.full_memo
    assert (professional.monthly_price, professional.max_tracked_platforms) == (
        Decimal("149.00"),
        25,
    )
    assert all(
        getattr(professional, flag)
        for flag in (
            "full_memo",
            "memo_pdf",
            "provision_monitoring",
            "governance_timelines",
            "regulatory_mapping",
            "api_access",
        )
    )
    assert watcher.trial_days > 0 and professional.trial_days > 0 and free.trial_days == 0


@pytest.mark.parametrize(
    ("plan_code", "platforms", "memo_access", "same_day", "api"),
    [
        ("free", 1, (False, False), False, False),
        ("watcher", 10, (True, False), True, False),
        ("professional", 25, (True, True), True, True),
    ],
)
def test_entitlements_follow_the_plan(plan_code, platforms, memo_access, same_day, api):
    _user, organization = member_on_plan(plan_code)
    entitlements = entitlements_for_organization(organization)

    assert entitlements.plan_code == plan_code
    assert entitlements.max_tracked_platforms == platforms
    assert (entitlements.sees_regulatory_citations, entitlements.sees_full_memo) == memo_access
    assert entitlements.has("same_day_alerts") is same_day
    assert entitlements.has("api_access") is api


def test_an_admins_change_to_a_plan_takes_effect_without_a_deploy():
    _user, organization = member_on_plan("watcher")
    Plan.objects.filter(code="watcher").update(max_tracked_platforms=12, regulatory_citations=False)

    entitlements = entitlements_for_organization(organization)
    assert entitlements.max_tracked_platforms == 12
    assert not entitlements.sees_regulatory_citations


def test_an_organization_without_a_subscription_is_on_the_free_plan():
    organization = organization_create(name="Fresh", owner=UserFactory())
    assert not Subscription.objects.filter(organization=organization).exists()
    assert entitlements_for_organization(organization).plan_code == "free"


def test_granting_a_plan_replaces_the_previous_one():
    _user, organization = member_on_plan("watcher")
    subscription_grant(organization=organization, plan=Plan.objects.get(code="professional"))

    assert Subscription.objects.filter(organization=organization).count() == 1
    assert entitlements_for_organization(organization).sees_full_memo


def _request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_request_entitlements_are_the_visitors_or_the_current_organizations():
    assert entitlements_for_request(_request_for(AnonymousUser())) == VISITOR

    user, _personal = member_on_plan("free")
    team = organization_create(name="Team", owner=UserFactory())
    subscription_grant(organization=team, plan=Plan.objects.get(code="professional"))
    Membership.objects.create(organization=team, user=user, role=Role.MEMBER)

    request = _request_for(user)
    assert entitlements_for_request(request).plan_code == "free"

    switched = _request_for(user)
    organization_switch(session=switched.session, user=user, organization_slug=team.slug)
    assert entitlements_for_request(switched).plan_code == "professional"


def test_pricing_page_lists_the_plans_from_the_database():
    Plan.objects.filter(code="watcher").update(name="Watcher Plus", monthly_price=Decimal("12.50"))
    html = csrf_client().get("/pricing/").content.decode()

    assert "Watcher Plus" in html and "$12.50" in html
    assert "$149.00" in html
    assert "Up to 25 platforms" in html


def test_every_plan_feature_is_declared_once_and_matches_a_plan_column():
    boolean_columns = {
        field.name for field in Plan._meta.get_fields() if isinstance(field, BooleanField)
    }
    assert {feature.code for feature in PLAN_FEATURES} == boolean_columns - {"is_public"}
    assert len({feature.code for feature in PLAN_FEATURES}) == len(PLAN_FEATURES)
    admin_fields = {name for _title, options in PlanAdmin.fieldsets for name in options["fields"]}
    assert admin_fields >= {feature.code for feature in PLAN_FEATURES}


def test_asking_for_an_undeclared_feature_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="same_day_alert"):
        VISITOR.has("same_day_alert")


def test_pricing_ticks_only_features_the_product_delivers(monkeypatch):
    html = csrf_client().get("/pricing/").content.decode()
    assert "<li>Full compliance memo</li>" in html
    assert "<li>API access</li>" in html
    assert "<li>Governance timelines</li>" in html

    # One declaration moves it: a feature the product does not deliver (yet, or any more) is
    # announced as coming, not ticked.
    monkeypatch.setattr(
        entitlements_module,
        "PLAN_FEATURES",
        tuple(
            replace(feature, live=False) if feature.code == "governance_timelines" else feature
            for feature in PLAN_FEATURES
        ),
    )
    html = csrf_client().get("/pricing/").content.decode()
    assert "<li>Governance timelines</li>" not in html
    assert "governance timelines" in html


def test_quotas_count_the_usage_they_are_given():
    _user, organization = member_on_plan("free")
    free = entitlements_for_organization(organization)

    assert platform_quota(entitlements=free, usage=Usage(0, 0)).allowed
    over = platform_quota(entitlements=free, usage=Usage(tracked_platforms=1, tracked_provisions=0))
    assert not over.allowed and over.used == 1
    assert "Upgrade to Watcher" in over.message
    assert not provision_quota(entitlements=free, usage=Usage(0, 0)).allowed
