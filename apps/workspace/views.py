"""The workspace's pages and files. Each asks the entitlements whether the viewer's plan has the
feature: a page without it shows its teaser with the upgrade path, a file without it is a 403
(never a partial file)."""

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
from apps.workspace.pdf import pdf_render
from apps.workspace.selectors.memos import (
    MemoDocument,
    platform_memos,
    provision_memo,
    watchlist_memos,
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


def _preparer(user) -> str:
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{name} <{user.email}>" if name else user.email


def _pdf_response(*, memo_document: MemoDocument, filename: str) -> HttpResponse:
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
    memo_document = MemoDocument(
        subject=memo.provision.title,
        organization=organization_current(request),
        prepared_by=_preparer(request.user),
        prepared_on=timezone.localdate(),
        memos=[memo],
    )
    return _pdf_response(
        memo_document=memo_document, filename=f"{memo.provision.record_id}-memo.pdf"
    )


def platform_memo_pdf(request, platform_slug):
    platform = get_object_or_404(Platform, slug=platform_slug)
    entitlements = entitlements_for_request(request)
    if not entitlements.memo_pdf:
        return feature_refused(request, entitlements=entitlements, code="memo_pdf")
    memo_document = MemoDocument(
        subject=f"{platform.name}: every provision",
        organization=organization_current(request),
        prepared_by=_preparer(request.user),
        prepared_on=timezone.localdate(),
        memos=platform_memos(platform=platform, entitlements=entitlements),
    )
    return _pdf_response(memo_document=memo_document, filename=f"{platform.slug}-memos.pdf")


class WatchlistMemoPdfView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        entitlements = entitlements_for_organization(self.organization)
        if not entitlements.memo_pdf:
            return feature_refused(request, entitlements=entitlements, code="memo_pdf")
        memo_document = MemoDocument(
            subject=f"{self.organization.name}: watchlist",
            organization=self.organization,
            prepared_by=_preparer(request.user),
            prepared_on=timezone.localdate(),
            memos=watchlist_memos(organization=self.organization, entitlements=entitlements),
        )
        return _pdf_response(
            memo_document=memo_document, filename=f"{self.organization.slug}-watchlist-memos.pdf"
        )
