from django.contrib import admin

from apps.core.admin import CatalogAdmin
from apps.regulations.models import Agency, Regulation


@admin.register(Regulation)
class RegulationAdmin(CatalogAdmin):
    list_display = ["name", "short_name", "jurisdiction", "slug", "updated_at"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "slug", "jurisdiction", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(CatalogAdmin):
    list_display = ["name", "short_name", "jurisdiction", "complaint_url", "updated_at"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "slug", "jurisdiction", "description"]
    prepopulated_fields = {"slug": ["name"]}
