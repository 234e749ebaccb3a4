"""Writes of the provisions app, one module per job:

- ``workflow``: the curator workflow (submit, request changes, publish, unpublish);
- ``drafts``: a new draft from a clause suggestion;
- ``grades``: platform grades kept current with what is published, edits and deletions;
- ``tosdr_import``: ToS;DR's points as draft provisions.

The public names are importable from here as well."""

from apps.provisions.services.drafts import provision_draft_create
from apps.provisions.services.grades import (
    platform_grades_recompute,
    provision_curated_save,
    provisions_delete,
)
from apps.provisions.services.tosdr_import import TosdrImportReport, tosdr_import
from apps.provisions.services.workflow import (
    TRANSITION_RULES,
    provision_publication_gaps,
    provision_transition,
)

__all__ = [
    "TRANSITION_RULES",
    "TosdrImportReport",
    "platform_grades_recompute",
    "provision_curated_save",
    "provision_draft_create",
    "provision_publication_gaps",
    "provision_transition",
    "provisions_delete",
    "tosdr_import",
]
