"""Demo accounts for `load_demo`: one organization per plan, each with a verified user, and a
superuser for the curators, so a newcomer can log in as every tier. Idempotent; local use only
(the shared password is printed in the README)."""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Count, Q
from django_scopes import scopes_disabled

from apps.accounts.models import Organization, User
from apps.accounts.services import organization_create
from apps.billing.models import DEFAULT_PLAN_CODE, Plan
from apps.billing.services import subscription_grant
from apps.documents.models import VersionKind
from apps.monitoring.services import watchlist_add_platform, watchlist_add_provision
from apps.platforms.models import Platform
from apps.provisions.models import Provision

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published, local-only demo login
DEMO_EMAIL_DOMAIN = "demo.conductatlas.test"
ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DemoTier:
    plan_code: str
    organization_name: str
    tracked_platforms: int
    tracked_provisions: int = 0

    @property
    def email(self) -> str:
        return f"{self.plan_code}@{DEMO_EMAIL_DOMAIN}"


DEMO_TIERS = (
    DemoTier("free", "Free demo", tracked_platforms=1),
    DemoTier("watcher", "Watcher demo", tracked_platforms=4),
    DemoTier("professional", "Professional demo", tracked_platforms=6, tracked_provisions=3),
)


@dataclass
class DemoAccountsReport:
    created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        created = ", ".join(self.created) if self.created else "nothing new"
        return f"{len(DEMO_TIERS)} tier logins and the admin ready ({created})."


def _demo_user(*, email: str, report: DemoAccountsReport, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, **flags)
        report.created.append(email)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _demo_organization(*, tier: DemoTier, owner: User) -> Organization:
    organization = Organization.objects.for_user(owner).filter(name=tier.organization_name).first()
    if organization is None:
        organization = organization_create(
            name=tier.organization_name, owner=owner, is_personal=True
        )
    if tier.plan_code != DEFAULT_PLAN_CODE:
        subscription_grant(
            organization=organization,
            plan=Plan.objects.get(code=tier.plan_code),
            note="Demo organization",
        )
    return organization


def _most_active_platforms(limit: int) -> list[Platform]:
    """Platforms with the most documented changes first, so the demo dashboards have news."""
    return list(
        Platform.objects.annotate(
            change_count=Count(
                "documents__versions", filter=Q(documents__versions__kind=VersionKind.CHANGE)
            )
        ).order_by("-change_count", "name")[:limit]
    )


def demo_accounts_load() -> DemoAccountsReport:
    report = DemoAccountsReport()
    # The demo sets up several organizations at once, outside any request's organization.
    with transaction.atomic(), scopes_disabled():
        _demo_user(email=ADMIN_EMAIL, report=report, is_staff=True, is_superuser=True)
        platforms = _most_active_platforms(max(tier.tracked_platforms for tier in DEMO_TIERS))
        provisions = list(
            Provision.objects.published().order_by("-severity", "title")[
                : max(tier.tracked_provisions for tier in DEMO_TIERS)
            ]
        )
        for tier in DEMO_TIERS:
            user = _demo_user(email=tier.email, report=report)
            organization = _demo_organization(tier=tier, owner=user)
            for platform in platforms[: tier.tracked_platforms]:
                watchlist_add_platform(
                    organization=organization, platform_ref=platform.slug, added_by=user
                )
            for provision in provisions[: tier.tracked_provisions]:
                watchlist_add_provision(
                    organization=organization, provision_id=provision.pk, added_by=user
                )
    return report
