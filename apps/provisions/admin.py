from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from apps.core.exceptions import ApplicationError
from apps.provisions.forms import ProvisionAdminForm
from apps.provisions.models import (
    MEMO_FIELDS,
    AnalysisArticle,
    Category,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionAgency,
    ProvisionImpact,
)
from apps.provisions.services import (
    provision_curated_save,
    provision_publish,
    provision_return_to_draft,
    provision_submit_for_review,
    provisions_delete,
)

# The latest few are what a curator acts on; older ones stay in the database.
RECENT_IMPACTS_SHOWN = 10


@admin.register(ClauseType)
class ClauseTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "provision_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(provision_total=Count("provisions"))

    @admin.display(description="provisions", ordering="provision_total")
    def provision_count(self, obj: ClauseType) -> int:
        return obj.provision_total


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ProvisionAgencyInline(admin.TabularInline):
    model = ProvisionAgency
    extra = 0
    autocomplete_fields = ["agency"]
    verbose_name = "applicable agency"
    verbose_name_plural = "applicable agencies (with why each is competent)"


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    extra = 0
    fields = ["position", "question", "answer"]


def _workflow_action(
    service: Callable[..., Provision], done: str
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], None]:
    """An admin action that runs one workflow service per selected provision and reports what
    happened: a refused transition is a message, never an error page."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        succeeded = 0
        for provision in queryset.order_by("pk"):
            try:
                service(provision=provision, by=request.user)
            except ApplicationError as error:
                modeladmin.message_user(request, error.message, level=messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            noun = "provision" if succeeded == 1 else "provisions"
            modeladmin.message_user(request, f"{succeeded} {noun} {done}.", messages.SUCCESS)

    return action


@admin.register(Provision)
class ProvisionAdmin(SimpleHistoryAdmin):
    form = ProvisionAdminForm
    list_display = [
        "record_id",
        "title",
        "platform_name",
        "clause_type",
        "severity",
        "status",
        "needs_review",
        "published_at",
        "updated_at",
    ]
    list_display_links = ["record_id", "title"]
    list_select_related = ["document__platform", "clause_type"]
    list_filter = [
        "status",
        "severity",
        "needs_review",
        "clause_type",
        ("document__platform", admin.RelatedOnlyFieldListFilter),
        "categories",
    ]
    search_fields = [
        "record_id",
        "title",
        "clause_text",
        "document__title",
        "document__record_id",
        "document__platform__name",
    ]
    autocomplete_fields = ["document", "cited_version", "clause_type", "categories", "regulations"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "record_id",
        "status",
        "published_at",
        "created_at",
        "updated_at",
        "change_impacts",
    ]
    inlines = [ProvisionAgencyInline, FAQEntryInline]
    date_hierarchy = "updated_at"
    actions = ["submit_for_review", "publish", "return_to_draft"]
    fieldsets = [
        (
            None,
            {"fields": ["record_id", "status", "published_at", "document", "title", "slug"]},
        ),
        ("Classification", {"fields": ["severity", "clause_type", "categories"]}),
        ("Evidence", {"fields": ["clause_text", "cited_version"]}),
        (
            "Analysis",
            {"fields": ["summary", "why_it_matters", "consumer_impact", "interpretive_note"]},
        ),
        (
            "Compliance memo",
            {"fields": [*MEMO_FIELDS, "analysis_generated_at"]},
        ),
        ("Regulatory mapping", {"fields": ["regulations"]}),
        (
            "Review",
            {
                "fields": [
                    "needs_review",
                    "review_reason",
                    "change_impacts",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        provision_curated_save(provision=obj)

    def delete_model(self, request, obj):
        provisions_delete(provisions=Provision.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        provisions_delete(provisions=queryset)

    @admin.display(description="what document changes did to the clause")
    def change_impacts(self, obj: Provision):
        # Written by the impact assessment and only read here, so shown as text, not a formset.
        impacts = ProvisionImpact.objects.filter(provision=obj).select_related(
            "change_event__version"
        )[:RECENT_IMPACTS_SHOWN]
        if not impacts:
            return "None"
        return format_html_join(
            "",
            "<p>Version {} ({}): {}, {}% similar</p>",
            (
                (
                    impact.change_event.version.number,
                    f"{impact.change_event.version.captured_at:%Y-%m-%d}",
                    impact.get_status_display(),
                    round(impact.similarity * 100),
                )
                for impact in impacts
            ),
        )

    @admin.display(description="platform", ordering="document__platform__name")
    def platform_name(self, obj: Provision) -> str:
        return obj.document.platform.name

    submit_for_review = admin.action(description="Submit selected provisions for review")(
        _workflow_action(provision_submit_for_review, "submitted for review")
    )
    publish = admin.action(description="Publish selected provisions (must be in review)")(
        _workflow_action(provision_publish, "published")
    )
    return_to_draft = admin.action(description="Return selected provisions to draft")(
        _workflow_action(provision_return_to_draft, "returned to draft")
    )


@admin.register(AnalysisArticle)
class AnalysisArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "is_published", "published_at"]
    list_filter = ["is_published", "clause_types"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["clause_types", "provisions"]
