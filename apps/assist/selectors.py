"""Reads of curator assistance: the triage queue's figures."""

from datetime import datetime

from django.db.models import Count, Min

from apps.assist.models import ClauseSuggestion, SuggestionStatus


def suggestions_awaiting_triage() -> tuple[int, datetime | None]:
    """How many clause suggestions await a curator's decision, and when the oldest was made
    (None when there are none)."""
    figures = ClauseSuggestion.objects.filter(status=SuggestionStatus.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    return figures["count"], figures["oldest"]
