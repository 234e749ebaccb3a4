from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.core.admin import CatalogAdmin, LargeTableAdminMixin
from apps.documents.models import (
    ArchivedSnapshot,
    AttemptErrorKind,
    ChangeEvent,
    Document,
    DocumentVersion,
    FetchAttempt,
    FetchOutcome,
)
from apps.documents.selectors import (
    INTERRUPTED_LABEL,
    archive_scrub_progress,
    fetch_attempt_outcome_label,
    fetch_attempts_interrupted,
)
from apps.documents.services import (
    document_capture_queue,
    document_extraction_rule_update,
    document_snapshot,
)

# Enough of a document's history to see a pattern; the full list is one click away.
RECENT_ATTEMPTS_SHOWN = 25
RULE_FIELDS = {"select_selectors", "remove_selectors"}
# A change to any of these is a new or changed source: it is captured at once.
SOURCE_FIELDS = {"source_url", "is_monitored", *RULE_FIELDS}


class ReadOnlyAdminMixin:
    """The archive is append-only: versions, snapshots and fetch records are written by the
    pipeline and only ever read here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FailingFilter(admin.SimpleListFilter):
    title = "fetch health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        threshold = settings.DOCUMENTS_FAILING_THRESHOLD
        return [
            ("failing", f"Failing {threshold}+ times in a row"),
            ("erroring", "Last fetch failed"),
            ("ok", "Last fetch succeeded"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(consecutive_failures__gte=settings.DOCUMENTS_FAILING_THRESHOLD)
        if self.value() == "erroring":
            return queryset.filter(consecutive_failures__gte=1)
        if self.value() == "ok":
            return queryset.filter(consecutive_failures=0)
        return queryset


class FetchAttemptOutcomeMixin:
    @admin.display(description="outcome", ordering="outcome")
    def outcome_shown(self, attempt):
        return fetch_attempt_outcome_label(attempt=attempt)


class AttemptOutcomeFilter(admin.SimpleListFilter):
    """The recorded outcomes plus "Interrupted": started runs a crash cut off."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("interrupted", INTERRUPTED_LABEL), *FetchOutcome.choices]

    def queryset(self, request, queryset):
        if self.value() == "interrupted":
            # The conditions themselves, not a subquery of ids: the list then reads its page
            # along `fetchattempt_unfinished`.
            return queryset & fetch_attempts_interrupted()
        if self.value() in FetchOutcome.values:
            return queryset.filter(outcome=self.value())
        return queryset


class AttemptErrorKindFilter(admin.SimpleListFilter):
    """By kind of failure. Only failed attempts have one; saying so lets the list read the
    `fetchattempt_error_kinds` index of failures instead of seeking a rare kind among all."""

    title = "error kind"
    parameter_name = "error_kind"

    def lookups(self, request, model_admin):
        return AttemptErrorKind.choices

    def queryset(self, request, queryset):
        if self.value() in AttemptErrorKind.values:
            return queryset.filter(outcome=FetchOutcome.ERROR, error_kind=self.value())
        return queryset


class FetchAttemptInline(FetchAttemptOutcomeMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = FetchAttempt
    verbose_name_plural = f"fetch history (latest {RECENT_ATTEMPTS_SHOWN})"
    fields = [
        "started_at",
        "outcome_shown",
        "error_kind",
        "http_status",
        "duration_ms",
        "message",
        "version",
    ]
    readonly_fields = fields
    ordering = ["-started_at", "-id"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        object_id = request.resolver_match.kwargs.get("object_id")
        latest = (
            FetchAttempt.objects.filter(document_id=object_id)
            .order_by("-started_at", "-id")
            .values_list("pk", flat=True)[:RECENT_ATTEMPTS_SHOWN]
        )
        return queryset.filter(pk__in=list(latest)).select_related("version")


class DocumentVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "kind", "captured_at", "text_sha256", "extraction_rule_version", "changes"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document__platform")

    @admin.display(description="diff")
    def changes(self, obj: DocumentVersion):
        if obj.number <= 1:
            return "—"
        url = reverse(
            "documents:version_diff",
            kwargs={
                "platform_slug": obj.document.platform.slug,
                "document_slug": obj.document.slug,
                "from_number": obj.number - 1,
                "to_number": obj.number,
            },
        )
        return format_html('<a href="{}">v{} → v{}</a>', url, obj.number - 1, obj.number)


@admin.register(Document)
class DocumentAdmin(LargeTableAdminMixin, CatalogAdmin):
    list_display = [
        "title",
        "platform",
        "record_id",
        "is_monitored",
        "last_verified_at",
        "next_fetch_at",
        "failures_in_a_row",
    ]
    # No filter by platform: it would list every platform of the catalog on each page (search
    # finds a platform's documents by its name).
    list_filter = [FailingFilter, "is_monitored", "doc_type"]
    list_select_related = ["platform"]
    # Newest first along the primary key: the model's order (platform name, title) sorted the
    # whole catalog for each page.
    ordering = ["-pk"]
    search_fields = ["title", "record_id", "source_url", "platform__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["platform"]
    actions = ["snapshot_now"]
    inlines = [DocumentVersionInline, FetchAttemptInline]
    readonly_fields = [
        "record_id",
        "extraction_rule_version",
        "first_tracked_at",
        "last_verified_at",
        "next_fetch_at",
        "consecutive_failures",
        "fetch_lease_until",
        "etag",
        "last_modified",
        "last_raw_sha256",
        "latest_fetch",
        "provisions_flagged",
    ]
    fieldsets = [
        (None, {"fields": ["platform", "title", "slug", "doc_type", "record_id"]}),
        (
            "Fetching and extraction",
            {
                "fields": [
                    "source_url",
                    "is_monitored",
                    "fetch_interval_hours",
                    "select_selectors",
                    "remove_selectors",
                    "extraction_rule_version",
                    "stated_last_updated",
                ]
            },
        ),
        (
            "Pipeline state",
            {
                "fields": [
                    "latest_fetch",
                    "first_tracked_at",
                    "last_verified_at",
                    "next_fetch_at",
                    "consecutive_failures",
                    "fetch_lease_until",
                    "etag",
                    "last_modified",
                    "last_raw_sha256",
                ]
            },
        ),
        ("Curator review", {"fields": ["provisions_flagged"]}),
    ]

    @admin.display(description="failures in a row", ordering="consecutive_failures")
    def failures_in_a_row(self, obj: Document):
        if obj.consecutive_failures >= settings.DOCUMENTS_FAILING_THRESHOLD:
            return format_html("<strong>⚠ {}</strong>", obj.consecutive_failures)
        return obj.consecutive_failures

    @admin.display(description="latest fetch")
    def latest_fetch(self, obj: Document):
        attempt = obj.fetch_attempts.order_by("-started_at", "-id").first()
        if attempt is None:
            if obj.is_monitored and obj.source_url:
                return "Not fetched yet (a capture is queued when the source is saved)"
            return "Not fetched yet"
        label = fetch_attempt_outcome_label(attempt=attempt)
        outcome = f"{label} at {attempt.started_at:%Y-%m-%d %H:%M} UTC"
        if attempt.outcome == FetchOutcome.ERROR:
            return format_html(
                "<strong>⚠ {}</strong>: {} {}",
                outcome,
                attempt.get_error_kind_display(),
                attempt.message,
            )
        if attempt.version_id:
            return f"{outcome}: version {attempt.version.number}"
        return outcome

    @admin.display(description="provisions flagged by document changes")
    def provisions_flagged(self, obj: Document):
        # Through the reverse relation: the documents app does not import the provisions app.
        flagged = obj.provisions.filter(needs_review=True).order_by("title")
        if not flagged:
            return "None"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> ({})<br><span style="white-space: pre-wrap">{}</span></p>',
            (
                (
                    reverse("admin:provisions_provision_change", args=[provision.pk]),
                    provision.title,
                    provision.record_id,
                    provision.review_reason,
                )
                for provision in flagged
            ),
        )

    def save_model(self, request, obj, form, change):
        if change and RULE_FIELDS.intersection(form.changed_data):
            # Through the service, so the rule version goes up and the next differing text is
            # recorded as a technical re-extraction rather than a change at the source.
            stored = document_extraction_rule_update(
                document=Document.objects.get(pk=obj.pk),
                select_selectors=obj.select_selectors,
                remove_selectors=obj.remove_selectors,
            )
            obj.extraction_rule_version = stored.extraction_rule_version
        super().save_model(request, obj, form, change)
        if (not change or SOURCE_FIELDS.intersection(form.changed_data)) and (
            document_capture_queue(document=obj)
        ):
            self.message_user(
                request,
                f"{obj.record_id}: a capture of {obj.source_url} is queued; its outcome appears "
                "under \u201clatest fetch\u201d.",
            )

    @admin.action(description="Snapshot the selected documents now")
    def snapshot_now(self, request, queryset):
        for document in queryset:
            run = document_snapshot(document=document)
            if run.attempt is None:
                self.message_user(
                    request, f"{document.record_id}: being fetched elsewhere", messages.WARNING
                )
            elif run.attempt.outcome == FetchOutcome.ERROR:
                self.message_user(
                    request,
                    f"{document.record_id}: {run.attempt.error_kind}: {run.attempt.message}",
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request, f"{document.record_id}: {run.attempt.get_outcome_display()}"
                )


@admin.register(DocumentVersion)
class DocumentVersionAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "number", "kind", "captured_at", "text_sha256", "archive_url"]
    list_filter = ["kind"]
    # Newest first along the primary key: the model's order (document, then number downwards)
    # sorted every version for each page.
    ordering = ["-pk"]
    list_select_related = ["document"]
    search_fields = ["document__title", "document__record_id", "text_sha256"]


@admin.register(ChangeEvent)
class ChangeEventAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["version", "previous_version", "created_at"]
    list_select_related = ["version__document", "previous_version__document"]
    search_fields = ["document__title", "document__record_id"]


@admin.register(ArchivedSnapshot)
class ArchivedSnapshotAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "sha256",
        "size",
        "content_type",
        "fetched_at",
        "last_verified_at",
        "last_verification_ok",
    ]
    # No filter by content type: listing its values reads every row.
    list_filter = ["last_verification_ok"]
    search_fields = ["sha256", "final_url"]

    def changelist_view(self, request, extra_context=None):
        # The scrub's progress above the list (templates/admin/documents/archivedsnapshot/).
        extra_context = {**(extra_context or {}), "scrub": archive_scrub_progress()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(FetchAttempt)
class FetchAttemptAdmin(
    LargeTableAdminMixin, FetchAttemptOutcomeMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = [
        "document",
        "started_at",
        "outcome_shown",
        "error_kind",
        "http_status",
        "duration_ms",
        "message",
    ]
    list_filter = [AttemptOutcomeFilter, AttemptErrorKindFilter]
    list_select_related = ["document"]
    search_fields = ["document__title", "document__record_id", "message"]
    # Newest first, read backwards along the `fetchattempt_started` index.
    ordering = ["-started_at", "-id"]
    # The rows are read-only, so there is no edit to return from with the filters kept; keeping
    # them resolves every row's link against the URL patterns again (a quarter of a filtered
    # page's time at 50 rows).
    preserve_filters = False
