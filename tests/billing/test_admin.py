"""Curators edit plans and grant them to organizations in the Django admin."""

import pytest
from django.urls import reverse

from apps.billing.entitlements import entitlements_for_organization
from apps.billing.models import Plan, Subscription
from tests.factories import UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client():
    return csrf_client(UserFactory(is_staff=True, is_superuser=True))


def test_a_curator_changes_a_plans_limit(curator_client):
    plan = Plan.objects.get(code="free")
    url = reverse("admin:billing_plan_change", args=[plan.pk])
    form = curator_client.get(url)
    assert form.status_code == 200
    fields = {
        name: value
        for name, value in form.context["adminform"].form.initial.items()
        if value is not None
    }
    response = csrf_post(curator_client, url, {**fields, "max_tracked_platforms": 3}, form_page=url)
    assert response.status_code == 302, response.content
    plan.refresh_from_db()
    assert plan.max_tracked_platforms == 3


def test_a_curator_grants_a_plan_to_an_organization(curator_client):
    _user, organization = member_on_plan("free")
    url = reverse("admin:billing_subscription_add")
    professional = Plan.objects.get(code="professional")
    response = csrf_post(
        curator_client,
        url,
        {"organization": organization.pk, "plan": professional.pk, "note": "Pilot customer"},
        form_page=url,
    )
    assert response.status_code == 302, response.content
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.granted_by.is_superuser
    assert entitlements_for_organization(organization).sees_full_memo
