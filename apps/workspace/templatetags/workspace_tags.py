"""The upgrade path of the workspace's teasers: the public plans that include a feature, each
with the viewer's action on it (billing decides the action; the feature is plan data)."""

from django import template
from django_scopes import scope

from apps.accounts.models import MANAGER_ROLES
from apps.accounts.selectors import organization_current
from apps.billing.entitlements import entitlements_for_request
from apps.billing.selectors import pricing_offers, subscription_for_organization

register = template.Library()


@register.simple_tag(takes_context=True)
def feature_offers(context, feature_code: str) -> dict:
    organization = context.get("organization") or organization_current(context["request"])
    with scope(organization=organization):
        offers = pricing_offers(
            organization=organization,
            subscription=subscription_for_organization(organization=organization),
            is_manager=getattr(organization, "viewer_role", "") in MANAGER_ROLES,
        )
    return {
        "organization": organization,
        "offers": [offer for offer in offers if getattr(offer.plan, feature_code)],
    }


@register.simple_tag(takes_context=True)
def viewer_has(context, feature_code: str) -> bool:
    """Whether the viewer's plan has the feature (the entitlements are read once per request)."""
    return entitlements_for_request(context["request"]).has(feature_code)
