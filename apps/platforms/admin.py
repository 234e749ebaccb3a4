from django.contrib import admin
from django.db.models import Count

from apps.core.admin import CatalogAdmin
from apps.platforms.models import Platform


@admin.register(Platform)
class PlatformAdmin(CatalogAdmin):
    list_display = ["name", "slug", "sector", "grade", "website", "document_count", "updated_at"]
    list_filter = ["sector", "grade"]
    # Derived from the published provisions (apps/provisions/grades.py), never typed in.
    readonly_fields = ["grade"]
    search_fields = ["name", "slug", "website", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj: Platform) -> int:
        return obj.document_total
