from django.db import models
from simple_history.admin import SimpleHistoryAdmin


class CatalogAdmin(SimpleHistoryAdmin):
    """Admin base for curated catalog records: keeps who changed what, and reads a URL typed
    without a scheme as https (Django 6's default, adopted now so curators see no change later)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
