"""Writes of the provisions app, one module per job:

- ``workflow``: the curator workflow (submit, request changes, publish, unpublish);
- ``drafts``: a new draft from a clause suggestion;
- ``tosdr_import``: ToS;DR's points as draft provisions.

The public names are importable from here as well."""

from apps.provisions.services.drafts import provision_draft_create
from apps.provisions.services.tosdr_import import TosdrImportReport, tosdr_import
from apps.provisions.services.workflow import (
    TRANSITION_RULES,
    provision_publication_gaps,
    provision_transition,
)

__all__ = [
    "TRANSITION_RULES",
    "TosdrImportReport",
    "provision_draft_create",
    "provision_publication_gaps",
    "provision_transition",
    "tosdr_import",
]
