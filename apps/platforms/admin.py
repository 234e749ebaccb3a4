from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery

from apps.core.admin import CatalogAdmin
from apps.platforms.models import Platform


@admin.register(Platform)
class PlatformAdmin(CatalogAdmin):
    list_display = [
        "name",
        "slug",
        "sector",
        "grade",
        "website",
        "is_listed",
        "document_count",
        "updated_at",
    ]
    list_filter = ["sector", "grade", "is_listed"]
    # Derived from the published provisions (apps/provisions/grades.py), never typed in.
    readonly_fields = ["grade"]
    search_fields = ["name", "slug", "website", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # A count per listed platform (its documents' index range), not a join grouping every
        # document of the catalog for each page and for each of its counts. Through the
        # reverse relation: the platforms app does not import the documents app.
        documents = Platform.objects.filter(pk=OuterRef("pk")).annotate(n=Count("documents"))
        return (
            super().get_queryset(request).annotate(document_total=Subquery(documents.values("n")))
        )

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj: Platform) -> int:
        return obj.document_total
