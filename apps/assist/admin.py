from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.assist.models import ClauseSuggestion, SuggestionStatus, VersionClassification
from apps.assist.selectors import clause_model_problem
from apps.assist.services import clause_suggestion_accept, clause_suggestion_reject
from apps.core.exceptions import ApplicationError

SENTENCE_SHOWN = 160


def _model_warning(request: HttpRequest) -> None:
    problem = clause_model_problem()
    if problem:
        messages.warning(
            request,
            f"Clause classifier: the trained model cannot be used ({problem}) The small "
            "fallback model makes the suggestions; run `manage.py train_clause_model`.",
        )


def _triage_action(
    service: Callable[..., object], done: str
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], None]:
    """An admin action that runs one triage service per selected suggestion and reports what
    happened: a suggestion already decided is a message, never an error page."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        succeeded = 0
        for suggestion in queryset.order_by("pk"):
            try:
                service(suggestion=suggestion, by=request.user)
            except ApplicationError as error:
                modeladmin.message_user(request, error.message, level=messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            noun = "suggestion" if succeeded == 1 else "suggestions"
            modeladmin.message_user(request, f"{succeeded} {noun} {done}.", messages.SUCCESS)

    return action


class _ReadOnly:
    """Suggestions and classifications are written by the classifier and the triage actions
    only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClauseSuggestion)
class ClauseSuggestionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "sentence_excerpt",
        "clause_type",
        "confidence_percent",
        "covered",
        "status",
        "version_link",
    ]
    list_filter = ["status", "clause_type", "version__document__platform"]
    list_select_related = ["version__document__platform", "clause_type", "covered_by"]
    search_fields = ["sentence", "version__document__title", "version__document__record_id"]
    ordering = ["-confidence"]
    actions = ["accept_as_draft", "reject"]
    fields = [
        "sentence",
        "label",
        "clause_type",
        "confidence",
        "version",
        "position",
        "covered_by",
        "status",
        "decided_by",
        "decided_at",
        "provision",
    ]
    readonly_fields = fields

    accept_as_draft = admin.action(
        description="Accept: make a draft provision of each", permissions=["triage"]
    )(_triage_action(clause_suggestion_accept, "accepted as draft provisions"))
    reject = admin.action(description="Reject: never suggest these again", permissions=["triage"])(
        _triage_action(clause_suggestion_reject, "rejected")
    )

    def has_triage_permission(self, request) -> bool:
        # The rows are read-only; deciding on them is what "change clause suggestion" grants.
        return request.user.has_perm("assist.change_clausesuggestion")

    def changelist_view(self, request, extra_context=None):
        _model_warning(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description="sentence")
    def sentence_excerpt(self, obj: ClauseSuggestion) -> str:
        text = obj.sentence
        return text if len(text) <= SENTENCE_SHOWN else f"{text[:SENTENCE_SHOWN]}…"

    @admin.display(description="confidence", ordering="confidence")
    def confidence_percent(self, obj: ClauseSuggestion) -> str:
        return f"{obj.confidence:.0%}"

    @admin.display(description="already covered by")
    def covered(self, obj: ClauseSuggestion):
        if obj.covered_by is None:
            return "—"
        url = reverse("admin:provisions_provision_change", args=[obj.covered_by.pk])
        return format_html('<a href="{}">{}</a>', url, obj.covered_by.record_id)

    @admin.display(description="version", ordering="version")
    def version_link(self, obj: ClauseSuggestion):
        url = reverse("admin:assist_clausesuggestion_changelist")
        return format_html(
            '<a href="{}?version__id__exact={}">{} v{}</a>',
            url,
            obj.version_id,
            obj.version.document.platform.name,
            obj.version.number,
        )


@admin.register(VersionClassification)
class VersionClassificationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "version",
        "classified_at",
        "model_name",
        "used_fallback",
        "sentences",
        "suggestions_link",
    ]
    list_select_related = ["version__document"]
    search_fields = ["version__document__title", "version__document__record_id"]
    fields = [
        "version",
        "model_name",
        "fallback_reason",
        "sentences",
        "suggestions",
        "classified_at",
    ]
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        _model_warning(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description="small fallback model", boolean=True)
    def used_fallback(self, obj: VersionClassification) -> bool:
        return bool(obj.fallback_reason)

    @admin.display(description="suggestions", ordering="suggestions")
    def suggestions_link(self, obj: VersionClassification):
        url = reverse("admin:assist_clausesuggestion_changelist")
        pending = SuggestionStatus.PENDING
        return format_html(
            '<a href="{}?version__id__exact={}&status__exact={}">{}</a>',
            url,
            obj.version_id,
            pending,
            obj.suggestions,
        )
