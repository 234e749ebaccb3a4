"""Reads of curator assistance: the triage queue's figures and the model's state."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min

from apps.assist.classifier import model_file_problem
from apps.assist.models import ClauseSuggestion, SuggestionStatus


def suggestions_awaiting_triage() -> tuple[int, datetime | None]:
    """How many clause suggestions await a curator's decision, and when the oldest was made
    (None when there are none)."""
    figures = ClauseSuggestion.objects.filter(status=SuggestionStatus.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    return figures["count"], figures["oldest"]


def clause_model_problem() -> str:
    """Why the trained clause model cannot be used (so the small one stands in), or ""."""
    return model_file_problem(Path(settings.CLAUSE_MODEL_PATH))
