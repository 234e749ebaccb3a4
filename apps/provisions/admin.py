from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
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
    ProvisionTransition,
    TransitionAction,
)
from apps.provisions.services import (
    TRANSITION_RULES,
    provision_curated_save,
    provision_transition,
    provisions_delete,
)
from apps.provisions.tosdr import TOSDR_ATTRIBUTION, TOSDR_LICENCE, TOSDR_LICENCE_URL, TOSDR_URL

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


def _bulk_transition(action: TransitionAction, description: str):
    """A list action taking one workflow step per selected provision through the same service
    as the buttons: a refused step is a message naming the provision, never an error page."""

    def bulk(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        succeeded = 0
        for provision in queryset.order_by("pk"):
            try:
                provision_transition(provision=provision, action=action, by=request.user)
            except ApplicationError as error:
                modeladmin.message_user(request, error.message, level=messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            noun = "provision" if succeeded == 1 else "provisions"
            done = TRANSITION_RULES[action].done
            modeladmin.message_user(request, f"{succeeded} {noun} {done}.", messages.SUCCESS)

    bulk.__name__ = action.value
    return admin.action(description=description)(bulk)


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("tosdr", "Imported from ToS;DR"), ("here", "Written here")]

    def queryset(self, request, queryset):
        if self.value() == "tosdr":
            return queryset.filter(tosdr_point_id__isnull=False)
        if self.value() == "here":
            return queryset.filter(tosdr_point_id__isnull=True)
        return queryset


class RankedSearchChangeList(ChangeList):
    """Orders a search's results by the rank `get_search_results` gives, unless the curator
    sorted by a column."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if "search_rank" in queryset.query.annotations and ORDER_VAR not in self.params:
            return ["search_rank", *ordering]
        return ordering


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
        SourceFilter,
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
        "submitted_by",
        "submitted_at",
        "source",
        "created_at",
        "updated_at",
        "change_impacts",
        "workflow_history",
    ]
    inlines = [ProvisionAgencyInline, FAQEntryInline]
    actions = [
        _bulk_transition(TransitionAction.SUBMIT, "Submit selected provisions for review"),
        _bulk_transition(TransitionAction.REQUEST_CHANGES, "Request changes (back to draft)"),
        _bulk_transition(TransitionAction.PUBLISH, "Publish selected provisions (in review)"),
        _bulk_transition(TransitionAction.UNPUBLISH, "Unpublish selected provisions"),
    ]
    change_form_template = "admin/provisions/provision/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "record_id",
                    "status",
                    "published_at",
                    "submitted_by",
                    "submitted_at",
                    "source",
                    "document",
                    "title",
                    "slug",
                ]
            },
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
        (
            "Regulatory mapping",
            {"fields": ["regulations", "no_regulation_applies", "no_agency_applies"]},
        ),
        (
            "Review",
            {
                "fields": [
                    "curator_note",
                    "needs_review",
                    "review_reason",
                    "change_impacts",
                    "workflow_history",
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

    @admin.display(description="source")
    def source(self, obj: Provision):
        if not obj.is_from_tosdr:
            return "Written here"
        return format_html(
            'Imported from <a href="{}">ToS;DR</a> point {}: text by {}, licensed '
            '<a href="{}">{}</a>. Its pages carry this attribution.',
            TOSDR_URL,
            obj.tosdr_point_id,
            TOSDR_ATTRIBUTION,
            TOSDR_LICENCE_URL,
            TOSDR_LICENCE,
        )

    @admin.display(description="workflow steps")
    def workflow_history(self, obj: Provision):
        steps = ProvisionTransition.objects.filter(provision=obj).select_related("by")
        if not steps:
            return "None yet"
        return format_html_join(
            "",
            "<p>{} · {} by {}{}{}</p>",
            (
                (
                    f"{step.created_at:%Y-%m-%d %H:%M}",
                    step.get_action_display(),
                    step.by or "a removed user",
                    " (as the only curator)" if step.sole_curator_override else "",
                    f": \u201c{step.comment}\u201d" if step.comment else "",
                )
                for step in steps
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        """Title and record ID matches first, then the rest (clause text, document, platform):
        a curator searching "CA-P-000012" or a title acts on that row, not on one whose clause
        happens to quote the words."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            queryset = queryset.annotate(
                search_rank=Case(
                    When(Q(record_id__iexact=term), then=Value(0)),
                    When(Q(title__icontains=term) | Q(record_id__icontains=term), then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
        return queryset, may_have_duplicates

    def get_changelist(self, request, **kwargs):
        return RankedSearchChangeList

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="provisions_provision_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        provision = self.get_object(request, object_id)
        if provision is None:
            raise Http404(f"No provision with id {object_id!r}.")
        if not self.has_view_or_change_permission(request, provision):
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action not in TransitionAction.values:
            self.message_user(request, f"Unknown workflow step {action!r}.", messages.ERROR)
        else:
            try:
                provision_transition(
                    provision=provision,
                    action=action,
                    by=request.user,
                    comment=request.POST.get("comment", "").strip(),
                    sole_curator_override=request.POST.get("sole_curator") == "on",
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                rule = TRANSITION_RULES[TransitionAction(action)]
                self.message_user(request, f"{provision.record_id} {rule.done}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:provisions_provision_change", args=[provision.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        provision = self.get_object(request, object_id)
        if provision is not None:
            extra_context = {
                **(extra_context or {}),
                "workflow_steps": [
                    (action, action.label)
                    for action, rule in TRANSITION_RULES.items()
                    if rule.allowed_from == provision.status
                    and request.user.has_perm(rule.permission)
                ],
                "workflow_url": reverse(
                    "admin:provisions_provision_transition", args=[provision.pk]
                ),
                "submitted_by_viewer": provision.submitted_by_id == request.user.pk,
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AnalysisArticle)
class AnalysisArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "is_published", "published_at"]
    list_filter = ["is_published", "clause_types"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["clause_types", "provisions"]
