"""The workspace's filters. Values travel in the query string (shareable, and the exports repeat
the page's own query); a value that is not one of the choices, or an impossible date range, is a
form error shown on the page (and a 400), never a 500."""

from django import forms

from apps.provisions.models import Severity

SEVERITY_BY_NAME = {label.lower(): value for value, label in Severity.choices}


class DateInput(forms.DateInput):
    input_type = "date"


class TimelineFilterForm(forms.Form):
    document = forms.ChoiceField(required=False, label="Document")
    since = forms.DateField(required=False, label="From", widget=DateInput)
    until = forms.DateField(required=False, label="To", widget=DateInput)

    def __init__(self, data, *, documents):
        super().__init__(data)
        self.documents = {document.slug: document for document in documents}
        self.fields["document"].choices = [
            ("", "All documents"),
            *[(document.slug, document.title) for document in documents],
        ]
        if len(documents) < 2:
            del self.fields["document"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return cleaned

    @property
    def chosen_document(self):
        return self.documents.get(self.cleaned_data.get("document") or "")


class MappingFilterForm(forms.Form):
    regulation = forms.ChoiceField(required=False, label="Regulation")
    jurisdiction = forms.ChoiceField(required=False, label="Jurisdiction")
    severity = forms.ChoiceField(
        required=False,
        label="Severity",
        choices=[("", "Any severity"), *[(name, name.title()) for name in SEVERITY_BY_NAME]],
    )
    clause_type = forms.ChoiceField(required=False, label="Clause type")

    def __init__(self, data, *, regulations, jurisdictions, clause_types):
        super().__init__(data)
        self.fields["regulation"].choices = [
            ("", "All regulations"),
            *[(regulation.slug, regulation.name) for regulation in regulations],
        ]
        self.fields["jurisdiction"].choices = [
            ("", "All jurisdictions"),
            *[(jurisdiction, jurisdiction) for jurisdiction in jurisdictions],
        ]
        self.fields["clause_type"].choices = [
            ("", "All clause types"),
            *[(clause_type.slug, clause_type.name) for clause_type in clause_types],
        ]

    def filters(self) -> dict:
        """The valid form's filters as selector arguments."""
        return {
            "regulation_slug": self.cleaned_data.get("regulation") or None,
            "jurisdiction": self.cleaned_data.get("jurisdiction") or None,
            "severity": SEVERITY_BY_NAME.get(self.cleaned_data.get("severity") or ""),
            "clause_type_slug": self.cleaned_data.get("clause_type") or None,
        }
