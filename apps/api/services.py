"""Issuing API keys: the organization's plan must include API access (an entitlement), and the
key itself is written by the accounts app, which owns it."""

from apps.accounts.models import ApiKey, Organization, User
from apps.accounts.services import api_key_create
from apps.billing.entitlements import check_can_use_api


def api_key_issue(
    *, organization: Organization, actor: User, name: str, scope: str
) -> tuple[ApiKey, str]:
    """A new key and its secret (to show once), if the plan includes API access."""
    check_can_use_api(organization=organization)
    return api_key_create(organization=organization, actor=actor, name=name, scope=scope)
