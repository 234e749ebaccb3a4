"""The compliance memo as a document: the provision page's own selectors (the same queryset and
the same split of the memo by the viewer's entitlements), gathered for one provision, a
platform or an organization's watchlist."""

from dataclasses import dataclass
from datetime import date

from apps.accounts.models import Organization
from apps.billing.entitlements import Entitlements
from apps.monitoring.selectors import watchlist_provision_ids
from apps.platforms.models import Platform
from apps.provisions.models import Provision
from apps.provisions.selectors import (
    ComplianceAnalysis,
    provision_compliance_analysis,
    provision_get_published,
    provisions_with_memo,
)


@dataclass(frozen=True)
class ProvisionMemo:
    provision: Provision
    compliance: ComplianceAnalysis

    @property
    def anchor(self) -> str:
        return f"memo-{self.provision.record_id}"


@dataclass(frozen=True)
class MemoDocument:
    """What a memo file holds: a cover (subject, organization, preparer, date) and one memo per
    provision, in reading order."""

    subject: str
    organization: Organization | None
    prepared_by: str
    prepared_on: date
    memos: list[ProvisionMemo]

    @property
    def is_bundle(self) -> bool:
        return len(self.memos) != 1


def _memos(provisions, entitlements: Entitlements) -> list[ProvisionMemo]:
    return [
        ProvisionMemo(
            provision=provision,
            compliance=provision_compliance_analysis(
                provision=provision, entitlements=entitlements
            ),
        )
        for provision in provisions
    ]


def _bundle_order(provisions):
    return provisions.order_by(
        "document__platform__name", "document__title", "-severity", "title", "pk"
    )


def provision_memo(
    *, platform_slug: str, document_slug: str, provision_slug: str, entitlements: Entitlements
) -> ProvisionMemo | None:
    """One published provision's memo, as its page shows it to this viewer; None if there is
    no such provision."""
    provision = provision_get_published(
        platform_slug=platform_slug, document_slug=document_slug, provision_slug=provision_slug
    )
    if provision is None:
        return None
    return _memos([provision], entitlements)[0]


def platform_memos(*, platform: Platform, entitlements: Entitlements) -> list[ProvisionMemo]:
    """Every published provision of a platform, document by document, most severe first."""
    provisions = _bundle_order(provisions_with_memo().filter(document__platform=platform))
    return _memos(provisions, entitlements)


def watchlist_memos(
    *, organization: Organization, entitlements: Entitlements
) -> list[ProvisionMemo]:
    """Every published provision on the organization's watchlist, platform by platform."""
    provisions = _bundle_order(
        provisions_with_memo().filter(pk__in=watchlist_provision_ids(organization=organization))
    )
    return _memos(provisions, entitlements)
