"""The one place that knows what a viewer may see and do. Templates, views, the API and tasks ask
this module; nothing else compares plan names. Plans are rows (apps.billing.models.Plan), so an
admin's change to a limit takes effect here without a deploy.

Answers are in the plan's own terms (limits, memo access, features); the app that owns the
content maps them to its fields, and the app that owns what is counted passes its usage in, so
this module imports neither."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from apps.accounts.selectors import organization_current
from apps.billing.models import DEFAULT_PLAN_CODE, AlertFrequency, Plan, Subscription
from apps.core.exceptions import ApplicationError
from apps.core.viewer_cache import viewer_part


@dataclass(frozen=True)
class PlanFeature:
    """One thing a plan may include. `code` names both the Plan column that grants it and what
    code and templates ask for; `live` is False while the product does not deliver it yet, so
    pages never tick or sell something nobody can use."""

    code: str
    label: str
    live: bool


# Every plan feature, declared once, in the order pages list them: the pricing page, the
# dashboard and the admin derive from this tuple, so a new gate is one line here (and its Plan
# column).
PLAN_FEATURES = (
    PlanFeature("weekly_digest", "Weekly governance digest", live=True),
    PlanFeature("same_day_alerts", "Same-day change alerts", live=True),
    PlanFeature("regulatory_citations", "Regulatory citations", live=True),
    PlanFeature("full_memo", "Full compliance memo", live=True),
    PlanFeature("memo_pdf", "Audit-ready memo PDF", live=True),
    PlanFeature("provision_monitoring", "Provision-level monitoring", live=True),
    PlanFeature("governance_timelines", "Governance timelines", live=True),
    PlanFeature("regulatory_mapping", "Regulatory mapping", live=True),
    PlanFeature("api_access", "API access", live=True),
)
FEATURE_CODES = frozenset(feature.code for feature in PLAN_FEATURES)


@dataclass(frozen=True)
class FeatureLine:
    """A feature as one plan's page shows it: included or not."""

    feature: PlanFeature
    included: bool


@dataclass(frozen=True)
class Entitlements:
    plan_code: str
    max_tracked_platforms: int
    features: frozenset[str] = frozenset()
    plan_name: str = "Visitor"
    monthly_price: Decimal | None = None
    max_tracked_provisions: int = 0
    # The API's rates for the organization's keys (plan data): zero without API access.
    api_requests_per_minute: int = 0
    api_requests_per_day: int = 0

    def has(self, code: str) -> bool:
        if code not in FEATURE_CODES:
            raise ValueError(f"No plan feature is called {code!r}.")
        return code in self.features

    @property
    def sees_full_memo(self) -> bool:
        return self.has("full_memo")

    @property
    def sees_regulatory_citations(self) -> bool:
        # The full memo contains the citations, so a plan granting it grants them too.
        return self.has("regulatory_citations") or self.sees_full_memo

    @property
    def memo_pdf(self) -> bool:
        """Downloads the compliance memo as a PDF, holding only the memo parts the plan reads."""
        return self.has("memo_pdf")

    @property
    def provision_monitoring(self) -> bool:
        return self.has("provision_monitoring")

    @property
    def feature_lines(self) -> list[FeatureLine]:
        """The live features, each marked included or not (the dashboard's ticks)."""
        return feature_lines(self.features)

    @property
    def alert_frequencies(self) -> tuple[str, ...]:
        """What a member of an organization on this plan may choose, the plan's default first:
        same-day plans alert at once or in a daily email, the weekly digest is offered where
        the plan has it, and anyone may switch alerts off."""
        frequencies = []
        if self.has("same_day_alerts"):
            frequencies += [AlertFrequency.IMMEDIATE, AlertFrequency.DAILY]
        if self.has("weekly_digest"):
            frequencies.append(AlertFrequency.WEEKLY)
        return (*frequencies, AlertFrequency.OFF)

    @property
    def default_alert_frequency(self) -> str:
        return self.alert_frequencies[0]

    def alert_frequency_for(self, chosen: str | None) -> str:
        """The frequency a member hears at: their choice if the plan allows it, else the
        plan's default (a plan that lapsed to Free turns same-day alerts into the digest)."""
        return chosen if chosen in self.alert_frequencies else self.default_alert_frequency

    @property
    def page_variant(self) -> str:
        """A key naming everything public pages may show differently under these
        entitlements: two viewers with the same key see the same page (apps.core.page_cache),
        and an admin's change to a plan gives its viewers a new key."""
        signature = repr(
            (
                self.plan_code,
                sorted(self.features),
                self.max_tracked_platforms,
                self.max_tracked_provisions,
                self.plan_name,
                str(self.monthly_price),
            )
        )
        return f"{self.plan_code}-{hashlib.sha256(signature.encode()).hexdigest()[:16]}"

    @property
    def provision_alerts(self) -> bool:
        """A tracked single clause alerts on its own, the same day, when it is affected."""
        return self.provision_monitoring and self.has("same_day_alerts")


VISITOR = Entitlements(plan_code="visitor", max_tracked_platforms=0)


def plan_features(plan: Plan) -> frozenset[str]:
    return frozenset(feature.code for feature in PLAN_FEATURES if getattr(plan, feature.code))


def feature_lines(features: frozenset[str]) -> list[FeatureLine]:
    return [
        FeatureLine(feature=feature, included=feature.code in features)
        for feature in PLAN_FEATURES
        if feature.live
    ]


@dataclass(frozen=True)
class PlanOffer:
    """A public plan as the pricing page lists it: the row, the live features it includes, and
    those it will include once the product delivers them."""

    plan: Plan
    features: list[PlanFeature]
    coming: list[PlanFeature]


def plan_offers(plans) -> list[PlanOffer]:
    offers = []
    for plan in plans:
        included = [feature for feature in PLAN_FEATURES if getattr(plan, feature.code)]
        offers.append(
            PlanOffer(
                plan=plan,
                features=[feature for feature in included if feature.live],
                coming=[feature for feature in included if not feature.live],
            )
        )
    return offers


@dataclass(frozen=True)
class Usage:
    """What an organization uses of its plan's limits, counted by the app that owns the rows."""

    tracked_platforms: int
    tracked_provisions: int


def entitlements_for_plan(plan: Plan) -> Entitlements:
    features = plan_features(plan)
    return Entitlements(
        plan_code=plan.code,
        plan_name=plan.name,
        monthly_price=plan.monthly_price,
        features=features,
        max_tracked_platforms=plan.max_tracked_platforms,
        max_tracked_provisions=(
            plan.max_tracked_provisions if "provision_monitoring" in features else 0
        ),
        api_requests_per_minute=plan.api_requests_per_minute if "api_access" in features else 0,
        api_requests_per_day=plan.api_requests_per_day if "api_access" in features else 0,
    )


def plan_for_organization(organization) -> Plan | None:
    """The organization's granted plan, else the default plan. None only if an admin deleted
    the default plan, in which case the organization gets nothing beyond a visitor. A past-due
    subscription keeps its plan until its grace period ends, even before the nightly
    reconciliation records the drop."""
    return plan_for_subscription(_subscription_of(organization))


def _subscription_of(organization) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(organization=organization).first()


def subscription_in_force(subscription: Subscription | None) -> bool:
    """Whether the subscription gives its plan: a past-due one until its grace period ends."""
    return subscription is not None and not (
        subscription.grace_until is not None and subscription.grace_until <= timezone.now()
    )


def plan_for_subscription(subscription: Subscription | None) -> Plan | None:
    """The plan an organization with this subscription (or none) is on."""
    if subscription_in_force(subscription):
        return subscription.plan
    return Plan.objects.filter(code=DEFAULT_PLAN_CODE).first()


def entitlements_by_plan() -> tuple[dict[int, Entitlements], int | None]:
    """Every plan's entitlements by plan id, and the default plan's id (the plan of an
    organization without a subscription): what bulk work (alert fan-out, digests) needs to
    apply the plan rules to any number of organizations in a fixed number of queries."""
    plans = list(Plan.objects.all())
    default = next((plan.pk for plan in plans if plan.code == DEFAULT_PLAN_CODE), None)
    return {plan.pk: entitlements_for_plan(plan) for plan in plans}, default


def entitlements_for_organization(organization) -> Entitlements:
    plan = plan_for_organization(organization)
    return VISITOR if plan is None else entitlements_for_plan(plan)


def entitlements_for_request(request) -> Entitlements:
    """What the person behind this request may see on public pages: a visitor's view without an
    account, otherwise the entitlements of the organization they currently act for (a part of
    the viewer's cached account data, apps.core.viewer_cache)."""
    if getattr(request, "user", None) is None:
        return VISITOR
    organization = organization_current(request)
    if organization is None:
        return VISITOR
    subscription = subscription_for_request(request)
    # Named by whether the subscription is in force, so the end of a grace period is another
    # part rather than a stale one.
    in_force = subscription_in_force(subscription)

    def build() -> Entitlements:
        plan = plan_for_subscription(subscription)
        return VISITOR if plan is None else entitlements_for_plan(plan)

    return viewer_part(request, f"entitlements:{organization.pk}:{in_force}", build)


def subscription_for_request(request) -> Subscription | None:
    """The subscription of the organization the signed-in viewer acts for: the page variant,
    the entitlements and the plan offers of a page all need it."""
    organization = organization_current(request)
    if organization is None:
        return None

    def build() -> Subscription | None:
        with scope(organization=organization):
            return _subscription_of(organization)

    return viewer_part(request, f"subscription:{organization.pk}", build)


def page_variant_for_request(request) -> str:
    """Which cached copy of a public page this viewer gets: visitors share one; members one
    per set of entitlements (their personal parts are filled per request either way)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "visitor"
    return f"member-{entitlements_for_request(request).page_variant}"


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


def platform_quota(*, entitlements: Entitlements, usage: Usage) -> Quota:
    limit = entitlements.max_tracked_platforms
    used = usage.tracked_platforms
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


def provision_quota(*, entitlements: Entitlements, usage: Usage) -> Quota:
    used = usage.tracked_provisions
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


def check_can_track_platform(*, organization, usage: Usage) -> None:
    """Raises ApplicationError, with the way to a bigger plan, when one more tracked platform
    would exceed the organization's plan."""
    platform_quota(
        entitlements=entitlements_for_organization(organization), usage=usage
    ).raise_if_exceeded()


def check_can_track_provision(*, organization, usage: Usage) -> None:
    """Raises ApplicationError unless the plan includes provision-level monitoring and has room
    for one more tracked provision."""
    provision_quota(
        entitlements=entitlements_for_organization(organization), usage=usage
    ).raise_if_exceeded()


def check_can_use_api(*, organization) -> None:
    """Raises ApplicationError, with the plan that offers it, unless the organization's plan
    includes API access (keys and their rates)."""
    entitlements = entitlements_for_organization(organization)
    if entitlements.has("api_access"):
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


def feature_label(code: str) -> str:
    for feature in PLAN_FEATURES:
        if feature.code == code:
            return feature.label
    raise ValueError(f"No plan feature is called {code!r}.")


def feature_missing_message(*, entitlements: Entitlements, code: str) -> str:
    """Why a viewer cannot use a plan feature, and the cheapest public plan that has it."""
    label = feature_label(code)
    if entitlements is VISITOR:
        message = f"{label} is for signed-in members on a plan that includes it."
    else:
        message = f"{label} is not part of your {entitlements.plan_name} plan."
    offering = (
        Plan.objects.filter(is_public=True, **{code: True})
        .order_by("monthly_price", "position")
        .first()
    )
    if offering is not None:
        message += f" {offering.name} includes it."
    return message
