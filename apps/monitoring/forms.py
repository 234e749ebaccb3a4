from django import forms

from apps.platforms.models import Platform

PLATFORM_REF_MAX_LENGTH = max(
    Platform._meta.get_field("name").max_length, Platform._meta.get_field("slug").max_length
)


class WatchedPlatformAddForm(forms.Form):
    """What the dashboard's "Add a platform" box sends: a platform's name or slug. Anything
    longer than either names no platform, and is refused before it reaches a query."""

    platform = forms.CharField(
        max_length=PLATFORM_REF_MAX_LENGTH,
        error_messages={
            "required": "Type the name of a platform from the catalog.",
            "max_length": "No platform has a name that long; pick one from the platform list.",
        },
    )
