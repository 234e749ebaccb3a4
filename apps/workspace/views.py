"""The workspace's pages and files. Each asks the entitlements whether the viewer's plan has the
feature: a page without it shows its teaser with the upgrade path, a file without it is a 403
(never a partial file)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from apps.accounts.selectors import organization_current
from apps.accounts.tenancy import OrganizationView
from apps.billing.entitlements import (
    Entitlements,
    entitlements_for_organization,
    entitlements_for_request,
    feature_label,
    feature_missing_message,
)
from apps.platforms.models import Platform
from apps.provisions.selectors import provision_get_published
from apps.workspace.exports import csv_response, xlsx_response
from apps.workspace.forms import MappingFilterForm, TimelineFilterForm
from apps.workspace.pdf import pdf_render
from apps.workspace.selectors.mapping import (
    RegulatoryMapping,
    mapping_choices,
    regulatory_mapping,
)
from apps.workspace.selectors.memos import (
    MemoDocument,
    platform_memos,
    provision_memo,
    watchlist_memos,
)
from apps.workspace.selectors.timelines import (
    TimelineScope,
    activity_chart,
    governance_timeline,
    timeline_documents,
    timeline_summary,
)

FEATURE_PITCHES = {
    "memo_pdf": "An audit-ready PDF of each compliance memo: the clause with the archived "
    "version it cites and its SHA-256, the analysis, regulations, agencies and the citation "
    "record, for one provision, a platform or your whole watchlist.",
    "governance_timelines": "Every version, change, provision added, reworded or removed and "
    "curator review, in order, with a chart of change activity, filters and a CSV export.",
    "regulatory_mapping": "Your watchlist's provisions against the regulations they touch, "
    "with the memo's compliance points in each cell, filters, and CSV and Excel exports.",
}


def feature_refused(request, *, entitlements: Entitlements, code: str) -> HttpResponse:
    """The 403 a file answers when the plan lacks its feature: a page saying why, and how to
    get it."""
    return render(
        request,
        "workspace/locked_file.html",
        {
            "feature_code": code,
            "feature_label": feature_label(code),
            "pitch": FEATURE_PITCHES[code],
            "message": feature_missing_message(entitlements=entitlements, code=code),
        },
        status=403,
    )


def _memo_pdf_response(request, *, subject, organization, memos, filename) -> HttpResponse:
    """The memo file, prepared by the signed-in member for `organization` today."""
    name = request.user.get_full_name()
    memo_document = MemoDocument(
        subject=subject,
        organization=organization,
        prepared_by=f"{name} <{request.user.email}>" if name else request.user.email,
        prepared_on=timezone.localdate(),
        memos=memos,
    )
    pdf = pdf_render(
        template_name="workspace/memo_pdf.html", context={"memo_document": memo_document}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def provision_memo_pdf(request, platform_slug, document_slug, provision_slug):
    entitlements = entitlements_for_request(request)
    memo = provision_memo(
        platform_slug=platform_slug,
        document_slug=document_slug,
        provision_slug=provision_slug,
        entitlements=entitlements,
    )
    if memo is None:
        raise Http404("No such provision.")
    if not entitlements.memo_pdf:
        return feature_refused(request, entitlements=entitlements, code="memo_pdf")
    return _memo_pdf_response(
        request,
        subject=memo.provision.title,
        organization=organization_current(request),
        memos=[memo],
        filename=f"{memo.provision.record_id}-memo.pdf",
    )


def platform_memo_pdf(request, platform_slug):
    platform = get_object_or_404(Platform.objects.listed(), slug=platform_slug)
    entitlements = entitlements_for_request(request)
    if not entitlements.memo_pdf:
        return feature_refused(request, entitlements=entitlements, code="memo_pdf")
    return _memo_pdf_response(
        request,
        subject=f"{platform.name}: every provision",
        organization=organization_current(request),
        memos=platform_memos(platform=platform, entitlements=entitlements),
        filename=f"{platform.slug}-memos.pdf",
    )


class WatchlistMemoPdfView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        entitlements = entitlements_for_organization(self.organization)
        if not entitlements.memo_pdf:
            return feature_refused(request, entitlements=entitlements, code="memo_pdf")
        return _memo_pdf_response(
            request,
            subject=f"{self.organization.name}: watchlist",
            organization=self.organization,
            memos=watchlist_memos(organization=self.organization, entitlements=entitlements),
            filename=f"{self.organization.slug}-watchlist-memos.pdf",
        )


def _timeline_subject(platform_slug, document_slug=None, provision_slug=None):
    """The platform and, for a provision's timeline, the published provision; 404 otherwise."""
    if provision_slug is None:
        return get_object_or_404(Platform.objects.listed(), slug=platform_slug), None
    provision = provision_get_published(
        platform_slug=platform_slug, document_slug=document_slug, provision_slug=provision_slug
    )
    if provision is None:
        raise Http404("No such provision.")
    return provision.document.platform, provision


def _timeline_filters(request, *, platform, provision):
    """The filter form and the scope it gives, None while the filters are invalid."""
    if provision is not None:
        documents = [provision.document]
        form = TimelineFilterForm(request.GET or None, documents=[])
    else:
        documents = timeline_documents(platform=platform)
        form = TimelineFilterForm(request.GET or None, documents=documents)
    if not form.is_bound:
        return form, TimelineScope(platform=platform, provision=provision, documents=documents)
    if not form.is_valid():
        return form, None
    chosen = form.chosen_document
    return form, TimelineScope(
        platform=platform,
        provision=provision,
        documents=(chosen,) if chosen else tuple(documents),
        since=form.cleaned_data["since"],
        until=form.cleaned_data["until"],
    )


def timeline_page(request, platform_slug, document_slug=None, provision_slug=None):
    platform, provision = _timeline_subject(platform_slug, document_slug, provision_slug)
    entitlements = entitlements_for_request(request)
    context = {"platform": platform, "provision": provision}
    if not entitlements.has("governance_timelines"):
        context.update(
            summary=timeline_summary(
                platform=platform, document=provision.document if provision else None
            ),
            feature_code="governance_timelines",
            feature_label=feature_label("governance_timelines"),
            pitch=FEATURE_PITCHES["governance_timelines"],
        )
        return render(request, "workspace/timeline_teaser.html", context)
    form, scope = _timeline_filters(request, platform=platform, provision=provision)
    if scope is None:
        return render(request, "workspace/timeline.html", {**context, "form": form}, status=400)
    entries = governance_timeline(scope=scope)
    context.update(
        form=form,
        entries=entries,
        chart=activity_chart(entries=entries, scope=scope),
        query=request.GET.urlencode(),
    )
    return render(request, "workspace/timeline.html", context)


TIMELINE_CSV_HEADER = ["date", "kind", "document", "record_id", "title", "detail", "url"]


def timeline_csv(request, platform_slug, document_slug=None, provision_slug=None):
    platform, provision = _timeline_subject(platform_slug, document_slug, provision_slug)
    entitlements = entitlements_for_request(request)
    if not entitlements.has("governance_timelines"):
        return feature_refused(request, entitlements=entitlements, code="governance_timelines")
    form, scope = _timeline_filters(request, platform=platform, provision=provision)
    if scope is None:
        return _bad_filters(form)
    subject = provision.record_id if provision else platform.slug
    return csv_response(
        filename=f"{subject}-timeline.csv",
        header=TIMELINE_CSV_HEADER,
        rows=(
            [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                entry.label,
                entry.document,
                entry.record_id,
                entry.title,
                entry.detail,
                settings.SITE_URL + entry.path,
            ]
            for entry in governance_timeline(scope=scope)
        ),
    )


def _bad_filters(form) -> HttpResponse:
    """A file asked for with filters that cannot apply: a 400 saying why, not a file."""
    return HttpResponse(
        " ".join(str(error) for errors in form.errors.values() for error in errors),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


class MappingBaseView(OrganizationView):
    """The watchlist's regulatory mapping, filtered by the query string."""

    http_method_names = ["get"]

    def mapping_form(self) -> MappingFilterForm:
        choices = mapping_choices(organization=self.organization)
        return MappingFilterForm(
            self.request.GET or None,
            regulations=choices.regulations,
            jurisdictions=choices.jurisdictions,
            clause_types=choices.clause_types,
        )

    def mapping(self, form: MappingFilterForm, entitlements: Entitlements) -> RegulatoryMapping:
        filters = form.filters() if form.is_bound else {}
        return regulatory_mapping(
            organization=self.organization, entitlements=entitlements, **filters
        )


class MappingView(MappingBaseView):
    def get(self, request, org_slug):
        entitlements = entitlements_for_organization(self.organization)
        if not entitlements.has("regulatory_mapping"):
            return render(
                request,
                "workspace/mapping_teaser.html",
                self.page_context(
                    feature_code="regulatory_mapping",
                    feature_label=feature_label("regulatory_mapping"),
                    pitch=FEATURE_PITCHES["regulatory_mapping"],
                    message=feature_missing_message(
                        entitlements=entitlements, code="regulatory_mapping"
                    ),
                ),
            )
        form = self.mapping_form()
        if form.is_bound and not form.is_valid():
            return render(
                request, "workspace/mapping.html", self.page_context(form=form), status=400
            )
        return render(
            request,
            "workspace/mapping.html",
            self.page_context(
                form=form,
                mapping=self.mapping(form, entitlements),
                query=request.GET.urlencode(),
                memo_pdf=entitlements.memo_pdf,
            ),
        )


MAPPING_HEADER = [
    "platform",
    "document",
    "record_id",
    "provision",
    "severity",
    "clause_type",
    "regulation",
    "jurisdiction",
    "points",
    "points_are_general",
    "provision_url",
]


def _mapping_rows(mapping: RegulatoryMapping) -> list[list]:
    return [
        [
            provision.document.platform.name,
            provision.document.title,
            provision.record_id,
            provision.title,
            provision.get_severity_display(),
            provision.clause_type.name,
            cell.regulation.name,
            cell.regulation.jurisdiction,
            "\n".join(cell.points),
            "yes" if cell.general else "no",
            settings.SITE_URL + provision.get_absolute_url(),
        ]
        for provision, cell in mapping.mapped_cells
    ]


def _mapping_matrix(mapping: RegulatoryMapping) -> tuple[list[str], list[list]]:
    header = [
        "provision",
        "record_id",
        *[f"{regulation.name} ({regulation.jurisdiction})" for regulation in mapping.regulations],
    ]
    rows = [
        [
            f"{row.provision.document.platform.name}: {row.provision.title}",
            row.provision.record_id,
            *[("\n".join(cell.points) or "Mapped") if cell.mapped else "" for cell in row.cells],
        ]
        for row in mapping.rows
    ]
    return header, rows


class MappingExportView(MappingBaseView):
    file_format: str = "csv"

    def get(self, request, org_slug):
        entitlements = entitlements_for_organization(self.organization)
        if not entitlements.has("regulatory_mapping"):
            return feature_refused(request, entitlements=entitlements, code="regulatory_mapping")
        form = self.mapping_form()
        if form.is_bound and not form.is_valid():
            return _bad_filters(form)
        mapping = self.mapping(form, entitlements)
        filename = f"{self.organization.slug}-regulatory-mapping.{self.file_format}"
        if self.file_format == "csv":
            return csv_response(
                filename=filename, header=MAPPING_HEADER, rows=_mapping_rows(mapping)
            )
        matrix_header, matrix_rows = _mapping_matrix(mapping)
        return xlsx_response(
            filename=filename,
            sheets=[
                ("Mapping", MAPPING_HEADER, _mapping_rows(mapping)),
                ("Matrix", matrix_header, matrix_rows),
            ],
        )
