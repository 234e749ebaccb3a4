"""Celery tasks of curator assistance: thin wrappers that take ids and call one service each."""

from celery import shared_task

from apps.assist.services import version_clauses_suggest
from apps.documents.models import DocumentVersion


@shared_task
def version_clauses_suggest_task(version_id: int) -> int:
    """Safe to run twice: the suggestions converge on one per (document, sentence, category)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    return version_clauses_suggest(version=version).suggestions
