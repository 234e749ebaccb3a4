from django import forms

from apps.platforms.models import Platform, Sector
from apps.provisions.models import ClauseType, Severity
from apps.regulations.models import Regulation
from apps.site.models import SearchKind
from apps.site.search_selectors import SearchFilters

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


class SearchFilterForm(forms.Form):
    """The search page's filters. Like the platform filters, a value that is not recognised
    is left out (and said so) rather than failing the page."""

    kind = forms.ChoiceField(
        choices=[("", "Everything"), *SearchKind.choices], required=False, label="Show"
    )
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *[(name, name.title()) for name in SEVERITY_BY_NAME]],
        required=False,
        label="Severity",
    )
    clause_type = forms.ModelChoiceField(
        queryset=ClauseType.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any clause type",
        label="Clause type",
    )
    regulation = forms.ModelChoiceField(
        queryset=Regulation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any regulation",
        label="Regulation",
    )
    # Reached from a result's link rather than chosen from a list of every platform.
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )

    def filters(self) -> SearchFilters:
        self.is_valid()
        data = self.cleaned_data

        def pk(name):
            return data[name].pk if data.get(name) is not None else None

        return SearchFilters(
            kind=data.get("kind") or None,
            severity=SEVERITY_BY_NAME.get(data.get("severity") or ""),
            clause_type_id=pk("clause_type"),
            regulation_id=pk("regulation"),
            platform_id=pk("platform"),
        )
