from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.regulations.models import Agency, Regulation


@admin.register(Regulation)
class RegulationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "jurisdiction", "slug", "updated_at"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "slug", "jurisdiction", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "jurisdiction", "complaint_url", "updated_at"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "slug", "jurisdiction", "description"]
    prepopulated_fields = {"slug": ["name"]}
