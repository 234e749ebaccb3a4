from django import forms

from apps.platforms.models import Sector
from apps.provisions.models import Severity

# Severity travels in URLs by name (?severity=high), which reads better than the stored number.
SEVERITY_BY_NAME = {label.lower(): value for value, label in Severity.choices}


class PlatformFilterForm(forms.Form):
    sector = forms.ChoiceField(
        choices=[("", "All sectors"), *Sector.choices], required=False, label="Sector"
    )
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *[(name, name.title()) for name in SEVERITY_BY_NAME]],
        required=False,
        label="Has provisions of severity",
    )

    def filters(self) -> dict:
        """The valid filters as selector arguments; an unrecognised value is left out rather
        than failing the page, and `errors` tells the visitor it was ignored."""
        self.is_valid()
        return {
            "sector": self.cleaned_data.get("sector") or None,
            "severity": SEVERITY_BY_NAME.get(self.cleaned_data.get("severity") or ""),
        }
