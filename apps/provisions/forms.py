from django import forms

from apps.provisions.models import MEMO_FIELDS, Provision

# Status and publication time are not form fields: they change only through the workflow
# services (apps.provisions.services), so a curator cannot publish by editing a field.
PROVISION_EDITABLE_FIELDS = [
    "document",
    "title",
    "slug",
    "severity",
    "clause_type",
    "categories",
    "clause_text",
    "cited_version",
    "summary",
    "why_it_matters",
    "consumer_impact",
    "interpretive_note",
    *MEMO_FIELDS,
    "regulations",
    "no_regulation_applies",
    "no_agency_applies",
    "analysis_generated_at",
    "curator_note",
    "needs_review",
    "review_reason",
]


class ProvisionAdminForm(forms.ModelForm):
    """The curator's provision form. Severity and clause type are required (the model makes them
    non-null; the messages say why), and a clause quoted with a cited version must appear in
    that version's text (checked in `Provision.clean`, reported on the clause field)."""

    class Meta:
        model = Provision
        fields = PROVISION_EDITABLE_FIELDS
        error_messages = {
            "severity": {
                "required": "Choose a severity: the public pages and alerts rank provisions by it."
            },
            "clause_type": {
                "required": "Choose a clause type: cross-platform comparison groups provisions "
                "by it."
            },
        }
