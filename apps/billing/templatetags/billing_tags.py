"""Billing's pieces on other apps' pages: the past-due banner of organization pages and the
plan offers of the locked-memo block."""

from django import template
from django_scopes import scope

from apps.accounts.models import MANAGER_ROLES, Role
from apps.accounts.selectors import organization_current
from apps.billing.entitlements import subscription_for_request, subscription_in_force
from apps.billing.selectors import (
    past_due_grace_until,
    pricing_offers,
    subscription_for_organization,
)
from apps.core.viewer_cache import viewer_part

register = template.Library()


@register.inclusion_tag("billing/_past_due_banner.html")
def past_due_banner(organization, viewer_role):
    """Shown to owners while a failed payment keeps the plan only for its grace period."""
    grace_until = None
    if viewer_role == Role.OWNER:
        grace_until = past_due_grace_until(
            subscription=subscription_for_organization(organization=organization)
        )
    return {"organization": organization, "grace_until": grace_until}


@register.simple_tag(takes_context=True)
def plan_offers(context) -> dict:
    """The viewer's organization and the paid plans with their prices and the viewer's action
    on each (the free plan is left out: the block is about what unlocks the analysis)."""
    request = context["request"]
    organization = organization_current(request)
    subscription = subscription_for_request(request)

    def build() -> list:
        with scope(organization=organization):
            offers = pricing_offers(
                organization=organization,
                subscription=subscription,
                is_manager=getattr(organization, "viewer_role", "") in MANAGER_ROLES,
            )
        return [offer for offer in offers if offer.price]

    if organization is None:
        return {"organization": None, "offers": build()}
    # Named by whether the subscription is in force: the offers name the current plan.
    part = f"plan-offers:{organization.pk}:{subscription_in_force(subscription)}"
    return {"organization": organization, "offers": viewer_part(request, part, build)}
