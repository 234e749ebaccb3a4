"""Run tests as a given tier, and post forms the way a browser does (with the CSRF cookie)."""

from django.test import Client

from apps.accounts.models import Organization, User
from apps.accounts.services import organization_create_personal
from apps.billing.models import DEFAULT_PLAN_CODE, Plan
from apps.billing.services import subscription_grant
from tests.factories import UserFactory

TIERS = ("visitor", "free", "watcher", "professional")


def member_on_plan(plan_code: str, **user_fields) -> tuple[User, Organization]:
    """A verified user owning a personal organization on the plan `plan_code`."""
    user = UserFactory(**user_fields)
    organization = organization_create_personal(user=user)
    if plan_code != DEFAULT_PLAN_CODE:
        subscription_grant(organization=organization, plan=Plan.objects.get(code=plan_code))
    return user, organization


def client_for_tier(tier: str) -> Client:
    """A CSRF-enforcing client: anonymous for "visitor", else signed in on that plan."""
    client = Client(enforce_csrf_checks=True)
    if tier != "visitor":
        user, _organization = member_on_plan(tier)
        client.force_login(user)
    return client


def csrf_client(user: User | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_post(client: Client, url: str, data: dict | None = None, *, form_page: str, **extra):
    """GETs the page that holds the form (which sets the csrftoken cookie), then posts `data`
    to `url` with that token, as a browser would."""
    if "csrftoken" not in client.cookies:
        page = client.get(form_page)
        assert "csrftoken" in client.cookies, f"{form_page} ({page.status_code}) set no CSRF cookie"
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)
