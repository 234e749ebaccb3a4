"""The one place that knows what a viewer may see and do. Templates, views, the API and tasks ask
this module; nothing else compares plan names. Plans are rows (apps.billing.models.Plan), so an
admin's change to a limit takes effect here without a deploy."""

from dataclasses import dataclass

from django.urls import reverse

from apps.accounts.selectors import organization_current
from apps.billing.models import DEFAULT_PLAN_CODE, Plan, Subscription
from apps.core.exceptions import ApplicationError
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.provisions.models import MEMO_FIELDS

# The part of the memo that is "regulatory citations" (released from the Watcher tier on; the
# rest needs the full memo).
REGULATORY_CITATION_FIELDS = ("regulatory_framework", "jurisdiction_flags")


@dataclass(frozen=True)
class Entitlements:
    plan_code: str
    max_tracked_platforms: int
    sees_regulatory_citations: bool
    sees_full_memo: bool
    provision_monitoring: bool
    same_day_alerts: bool
    weekly_digest: bool
    governance_timelines: bool
    regulatory_mapping: bool
    api_access: bool
    plan_name: str = "Visitor"
    max_tracked_provisions: int = 0
    # API keys and their rate (plan data): zero when the plan has no API access.
    api_requests_per_minute: int = 0
    api_requests_per_day: int = 0

    @property
    def visible_memo_fields(self) -> tuple[str, ...]:
        """The memo fields this viewer may be sent; every other one must stay on the server."""
        if self.sees_full_memo:
            return MEMO_FIELDS
        if self.sees_regulatory_citations:
            return REGULATORY_CITATION_FIELDS
        return ()


VISITOR = Entitlements(
    plan_code="visitor",
    max_tracked_platforms=0,
    sees_regulatory_citations=False,
    sees_full_memo=False,
    provision_monitoring=False,
    same_day_alerts=False,
    weekly_digest=False,
    governance_timelines=False,
    regulatory_mapping=False,
    api_access=False,
)


@dataclass(frozen=True)
class Usage:
    tracked_platforms: int
    tracked_provisions: int


def entitlements_for_plan(plan: Plan) -> Entitlements:
    return Entitlements(
        plan_code=plan.code,
        plan_name=plan.name,
        max_tracked_platforms=plan.max_tracked_platforms,
        max_tracked_provisions=plan.max_tracked_provisions if plan.provision_monitoring else 0,
        # The full memo contains the citations, so a plan granting it grants them too.
        sees_regulatory_citations=plan.regulatory_citations or plan.full_memo,
        sees_full_memo=plan.full_memo,
        provision_monitoring=plan.provision_monitoring,
        same_day_alerts=plan.same_day_alerts,
        weekly_digest=plan.weekly_digest,
        governance_timelines=plan.governance_timelines,
        regulatory_mapping=plan.regulatory_mapping,
        api_access=plan.api_access,
        api_requests_per_minute=plan.api_requests_per_minute if plan.api_access else 0,
        api_requests_per_day=plan.api_requests_per_day if plan.api_access else 0,
    )


def plan_for_organization(organization) -> Plan | None:
    """The organization's granted plan, else the default plan. None only if an admin deleted
    the default plan, in which case the organization gets nothing beyond a visitor."""
    subscription = (
        Subscription.objects.select_related("plan").filter(organization=organization).first()
    )
    if subscription is not None:
        return subscription.plan
    return Plan.objects.filter(code=DEFAULT_PLAN_CODE).first()


def entitlements_for_organization(organization) -> Entitlements:
    plan = plan_for_organization(organization)
    return VISITOR if plan is None else entitlements_for_plan(plan)


def entitlements_for_request(request) -> Entitlements:
    """What the person behind this request may see on public pages: a visitor's view without an
    account, otherwise the entitlements of the organization they currently act for."""
    if not hasattr(request, "_entitlements"):
        request._entitlements = _entitlements_for_request_uncached(request)
    return request._entitlements


def _entitlements_for_request_uncached(request) -> Entitlements:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return VISITOR
    organization = organization_current(request)
    if organization is None:
        return VISITOR
    return entitlements_for_organization(organization)


def usage_for_organization(organization) -> Usage:
    return Usage(
        tracked_platforms=WatchedPlatform.objects.filter(organization=organization).count(),
        tracked_provisions=WatchedProvision.objects.filter(organization=organization).count(),
    )


def upgrade_url() -> str:
    return reverse("billing:pricing")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class Quota:
    """Whether an organization may add one more of something, and if not, why in words."""

    allowed: bool
    limit: int
    used: int
    message: str = ""

    def raise_if_exceeded(self) -> None:
        if not self.allowed:
            raise ApplicationError(
                self.message,
                extra={"limit": self.limit, "used": self.used, "upgrade_url": upgrade_url()},
            )


def platform_quota(organization, *, entitlements: Entitlements | None = None) -> Quota:
    entitlements = entitlements or entitlements_for_organization(organization)
    limit = entitlements.max_tracked_platforms
    used = WatchedPlatform.objects.filter(organization=organization).count()
    if used < limit:
        return Quota(allowed=True, limit=limit, used=used)
    bigger = (
        Plan.objects.filter(is_public=True, max_tracked_platforms__gt=limit)
        .order_by("monthly_price", "position")
        .first()
    )
    message = (
        f"Your {entitlements.plan_name} plan tracks up to {_plural(limit, 'platform')} "
        f"and you already track {used}."
    )
    if bigger is not None:
        message += (
            f" Upgrade to {bigger.name} to track up to "
            f"{_plural(bigger.max_tracked_platforms, 'platform')}, or stop tracking one first."
        )
    else:
        message += " Stop tracking one first."
    return Quota(allowed=False, limit=limit, used=used, message=message)


def provision_quota(organization, *, entitlements: Entitlements | None = None) -> Quota:
    entitlements = entitlements or entitlements_for_organization(organization)
    used = WatchedProvision.objects.filter(organization=organization).count()
    if not entitlements.provision_monitoring:
        offering = (
            Plan.objects.filter(is_public=True, provision_monitoring=True)
            .order_by("monthly_price", "position")
            .first()
        )
        message = f"Provision-level monitoring is not part of your {entitlements.plan_name} plan."
        if offering is not None:
            message += f" Upgrade to {offering.name} to track single clauses."
        return Quota(allowed=False, limit=0, used=used, message=message)
    limit = entitlements.max_tracked_provisions
    if used < limit:
        return Quota(allowed=True, limit=limit, used=used)
    return Quota(
        allowed=False,
        limit=limit,
        used=used,
        message=f"Your {entitlements.plan_name} plan tracks up to "
        f"{_plural(limit, 'provision')} and you already track {used}. Stop tracking one first.",
    )


def check_can_track_platform(*, organization) -> None:
    """Raises ApplicationError, with the way to a bigger plan, when one more tracked platform
    would exceed the organization's plan."""
    platform_quota(organization).raise_if_exceeded()


def check_can_track_provision(*, organization) -> None:
    """Raises ApplicationError unless the plan includes provision-level monitoring and has room
    for one more tracked provision."""
    provision_quota(organization).raise_if_exceeded()


def check_can_use_api(*, organization) -> None:
    """Raises ApplicationError, with the plan that offers it, unless the organization's plan
    includes API access (keys and their rates)."""
    entitlements = entitlements_for_organization(organization)
    if entitlements.api_access:
        return
    offering = (
        Plan.objects.filter(is_public=True, api_access=True)
        .order_by("monthly_price", "position")
        .first()
    )
    message = f"API access is not part of your {entitlements.plan_name} plan."
    if offering is not None:
        message += f" Upgrade to {offering.name} to create API keys."
    raise ApplicationError(message, extra={"upgrade_url": upgrade_url()})
