from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from apps.documents.selectors import version_numbers
from apps.platforms.forms import PlatformFilterForm
from apps.platforms.models import Platform
from apps.platforms.selectors import (
    CHANGE_ACTIVITY_DAYS,
    document_get,
    document_versions,
    platform_change_count,
    platform_documents,
    platform_list,
)
from apps.provisions.selectors import document_provisions, platform_provisions

PLATFORMS_PER_PAGE = 24
VERSIONS_PER_PAGE = 25


def platform_list_view(request):
    form = PlatformFilterForm(request.GET)
    platforms = platform_list(**form.filters())
    page_obj = Paginator(platforms, PLATFORMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "platforms/platform_list.html",
        {"form": form, "page_obj": page_obj, "platforms": page_obj.object_list},
    )


def platform_detail(request, platform_slug):
    platform = get_object_or_404(Platform, slug=platform_slug)
    return render(
        request,
        "platforms/platform_detail.html",
        {
            "platform": platform,
            "documents": platform_documents(platform=platform),
            "provisions": platform_provisions(platform=platform),
            "change_count": platform_change_count(platform=platform),
            "change_activity_days": CHANGE_ACTIVITY_DAYS,
        },
    )


def document_detail(request, platform_slug, document_slug):
    document = document_get(platform_slug=platform_slug, document_slug=document_slug)
    if document is None:
        raise Http404("No such document.")
    versions = Paginator(document_versions(document=document), VERSIONS_PER_PAGE)
    return render(
        request,
        "platforms/document_detail.html",
        {
            "document": document,
            "platform": document.platform,
            "provisions": document_provisions(document_id=document.pk),
            "versions_page": versions.get_page(request.GET.get("page")),
            "version_numbers": version_numbers(document=document),
        },
    )
