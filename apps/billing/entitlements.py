"""The one place that knows what a viewer may see and do. Templates, views, the API and tasks ask
this module; nothing else compares plan names."""

from dataclasses import dataclass


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


def entitlements_for_request(request) -> Entitlements:
    """What the person behind this request may see on public pages."""
    return VISITOR
