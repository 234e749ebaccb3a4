"""Query parameters of the catalog endpoints, each parsed to what the selectors take. A value
the API cannot use is a 400 that names the parameter, never an empty list that looks like an
answer."""

import re
from datetime import UTC, datetime, time

from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from apps.api.errors import BadParameter
from apps.provisions.models import Severity

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def slug_param(request, name: str, model: type[Model], noun: str) -> Model | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    # Checked before it reaches the database, which refuses some characters (NUL) outright.
    found = model.objects.filter(slug=value).first() if _SLUG.fullmatch(value) else None
    if found is None:
        raise BadParameter(name, f"There is no {noun} “{value[:80]}”.")
    return found


def severity_param(request) -> int | None:
    value = request.query_params.get("severity")
    if value is None:
        return None
    by_name = {label.lower(): number for number, label in Severity.choices}
    by_number = {str(number): number for number in Severity.values}
    severity = by_number.get(value) or by_name.get(value.lower())
    if severity is None:
        raise BadParameter("severity", "Severity is one of 1–4 or low, medium, high, critical.")
    return severity


def since_param(request, name: str = "changed_since") -> datetime | None:
    """An ISO 8601 date or date-time; a date means its midnight, UTC."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(name, f"{name} is an ISO 8601 date or date-time, e.g. 2026-01-31.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _slug_doc(name: str, noun: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, description=f"Only those of this {noun} (its slug)."
    )


PLATFORM = _slug_doc("platform", "platform")
CLAUSE_TYPE = _slug_doc("clause_type", "clause type")
REGULATION = _slug_doc("regulation", "regulation")
SEVERITY = OpenApiParameter(
    "severity",
    OpenApiTypes.STR,
    description="1–4, or low, medium, high, critical.",
    examples=[],
)
CHANGED_SINCE = OpenApiParameter(
    "changed_since",
    OpenApiTypes.STR,
    description="Only what changed at or after this ISO 8601 date or date-time (UTC if no zone).",
)
