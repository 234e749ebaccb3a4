"""Who hears of a change, in SQL: the members of every organization that tracks it, filtered by
the plan rules of apps.billing.entitlements and each member's chosen frequency, as querysets the
fan-out and the digests insert from in one statement. Plans are few rows, so their rules are
turned into conditions once; organizations are many, so nothing here runs per organization."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import Membership
from apps.billing.entitlements import Entitlements, entitlements_by_plan
from apps.monitoring.models import AlertPreference


@dataclass(frozen=True)
class PlanRules:
    """Every plan's entitlements by plan id, and the plan of an organization without a
    subscription."""

    by_plan: dict[int, Entitlements]
    default_plan_id: int | None

    @classmethod
    def load(cls) -> "PlanRules":
        by_plan, default_plan_id = entitlements_by_plan()
        return cls(by_plan=by_plan, default_plan_id=default_plan_id)

    def plans_where(self, test) -> list[int]:
        return [plan_id for plan_id, entitlements in self.by_plan.items() if test(entitlements)]

    def frequency_q(self, frequencies: set[str]) -> Q:
        """Members whose effective frequency (their choice if the plan allows it, else the
        plan's default) is one of `frequencies`."""
        condition = Q(pk__in=[])
        for plan_id, entitlements in self.by_plan.items():
            allowed = set(entitlements.alert_frequencies)
            on_plan = Q(member_plan_id=plan_id) & Q(chosen_frequency__in=allowed & frequencies)
            if entitlements.default_alert_frequency in frequencies:
                on_plan |= Q(member_plan_id=plan_id) & (
                    Q(chosen_frequency__isnull=True) | ~Q(chosen_frequency__in=allowed)
                )
            condition |= on_plan
        return condition

    def members(self) -> QuerySet[Membership]:
        """Memberships annotated with the organization's plan id (`member_plan_id`) and the
        member's chosen frequency (`chosen_frequency`, NULL when they never chose)."""
        # Unordered: the membership's default ordering would join and sort every organization
        # and user only to insert rows.
        return Membership.objects.order_by().annotate(
            member_plan_id=Coalesce(
                F("organization__subscriptions__plan_id"), Value(self.default_plan_id or 0)
            ),
            chosen_frequency=F("alert_preference__frequency"),
        )


def tracks(model, **lookups) -> Exists:
    """Whether the membership's organization monitors a `model` watchlist row matching
    `lookups` (a paused row, beyond the plan's limits, alerts nobody)."""
    return Exists(
        model.objects.filter(
            organization_id=OuterRef("organization_id"), paused_at__isnull=True, **lookups
        )
    )


def insert_from_select(*, model, rows: QuerySet, columns: list[str]) -> int:
    """INSERT INTO model's table (columns) SELECT rows, skipping rows that would break a unique
    constraint: one statement whatever the number of rows, so the fan-out's query count does not
    grow with the number of organizations. `rows` must be a values() queryset selecting one
    expression per column, in the same order."""
    sql, params = rows.query.sql_with_params()
    quoted = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
    )
    table = connection.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model's meta, never from input; `sql` is Django's
    # own compiled query with its parameters kept apart.
    statement = f"INSERT INTO {table} ({quoted}) {sql} ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def effective_frequency(*, organization, user, entitlements: Entitlements) -> str:
    """How often this member hears of this organization's changes right now (one member's
    version of `PlanRules.frequency_q`, for the check at send time)."""
    chosen = (
        AlertPreference.objects.filter(membership__organization=organization, membership__user=user)
        .values_list("frequency", flat=True)
        .first()
    )
    return entitlements.alert_frequency_for(chosen)
