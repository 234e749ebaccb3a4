import re

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse

from apps.core.search import search_input_parse
from apps.core.selectors import catalog_figures, recent_changes
from apps.core.sitemaps import SITEMAPS
from apps.platforms.selectors import document_by_record_id, platform_search
from apps.provisions.selectors import (
    provision_published_by_record_id,
    provision_recently_published,
    provision_search,
)

SEARCH_RESULTS_PER_PAGE = 20
_PROVISION_RECORD_ID = re.compile(r"CA-P-\d{6}")
_DOCUMENT_RECORD_ID = re.compile(r"CA-D-\d{5}")


def home(request):
    return render(
        request,
        "core/home.html",
        {
            "figures": catalog_figures(),
            "recent_changes": recent_changes(),
            "recent_provisions": provision_recently_published(),
        },
    )


def search(request):
    raw_query = request.GET.get("q", "")
    search_input = search_input_parse(raw_query)
    context = {"query": search_input.text, "searched": bool(raw_query.strip())}
    if not search_input.is_empty:
        page_obj = Paginator(
            provision_search(search=search_input), SEARCH_RESULTS_PER_PAGE
        ).get_page(request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            provisions=page_obj.object_list,
            # Platform matches head the first page only; later pages page through provisions.
            platforms=platform_search(search=search_input) if page_obj.number == 1 else [],
        )
    return render(request, "core/search.html", context)


def methodology(request):
    return render(request, "core/methodology.html")


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def record_redirect(request, record_id):
    """Stable record IDs (as cited in filings) resolve to the record's current page."""
    record = None
    if _PROVISION_RECORD_ID.fullmatch(record_id):
        record = provision_published_by_record_id(record_id=record_id)
    elif _DOCUMENT_RECORD_ID.fullmatch(record_id):
        record = document_by_record_id(record_id=record_id)
    if record is None:
        raise Http404("No such record.")
    return redirect(record)


@x_robots_tag
def sitemap_index(request):
    """Lists every page of every sitemap section, so no section outgrows the 50,000-URL limit
    of one sitemap file."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        location = settings.SITE_URL + reverse("core:sitemap_section", kwargs={"section": section})
        entries.append(SitemapIndexItem(location))
        for page in range(2, sitemap_class().paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}"))
    return render(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors or database access: whatever broke the request may
    # have broken those too.
    return HttpResponseServerError(loader.get_template("500.html").render())
