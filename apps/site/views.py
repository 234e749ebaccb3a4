"""The public pages that combine apps. Each view reads through selectors and passes the template
everything it shows, so rendering runs no query of its own."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from apps.billing.entitlements import entitlements_for_request, page_variant_for_request
from apps.core.page_cache import PageBuild, cached_page
from apps.core.page_tokens import (
    HOME_PAGE,
    PLATFORM_LIST_PAGE,
    REGULATION_LIST_PAGE,
    SEARCH_RESULTS,
    platform_page_token,
    provision_page_tokens,
    regulation_page_token,
)
from apps.core.search import search_input_parse
from apps.documents.selectors import version_numbers
from apps.monitoring.selectors import monitor_button_state_for_request
from apps.platforms.models import Platform
from apps.provisions.grades import MIN_GRADED_PROVISIONS, grade_rule
from apps.provisions.models import Provision
from apps.provisions.selectors import (
    clause_type_list,
    document_provisions,
    platform_provisions,
    provision_compliance_analysis,
    provision_faq,
    provision_get_published,
    provision_peers,
    provision_published_by_record_id,
    provision_recently_published,
    provision_related_articles,
    provision_siblings,
    provision_stale_change,
    provision_uniqueness,
)
from apps.regulations.models import Regulation
from apps.site.forms import PlatformFilterForm, SearchFilterForm
from apps.site.search_selectors import catalog_search
from apps.site.selectors import (
    CHANGE_ACTIVITY_DAYS,
    COMPARE_MAX_PLATFORMS,
    COMPARE_MAX_REQUESTED,
    COMPARE_MIN_PLATFORMS,
    catalog_figures,
    comparison_choice,
    comparison_picker_options,
    curator_queue_counts,
    document_by_record_id,
    document_get,
    document_versions,
    platform_change_count,
    platform_comparison,
    platform_documents,
    platform_list,
    recent_changes,
    regulation_list,
    regulation_provisions,
)
from apps.site.sitemaps import SITEMAPS

SEARCH_RESULTS_PER_PAGE = 20
POPULAR_CLAUSE_TYPES = 8
PLATFORMS_PER_PAGE = 24
VERSIONS_PER_PAGE = 25
REGULATION_PROVISIONS_PER_PAGE = 30
# Record IDs are zero-padded to a minimum width and grow past it once the counter does
# (CA-D-99999 is followed by CA-D-100000), so a cited ID keeps resolving at any size.
_PROVISION_RECORD_ID = re.compile(r"CA-P-\d{6,}")
_DOCUMENT_RECORD_ID = re.compile(r"CA-D-\d{5,}")


def _monitor_personal_data(platform: Platform, provision: Provision | None = None) -> dict:
    """What the monitor button needs of the page, kept with its cached copy."""
    return {
        "platform": {"pk": platform.pk, "name": platform.name, "slug": platform.slug},
        "provision_pk": provision.pk if provision is not None else None,
    }


def _monitor_personal(request):
    """The monitor button's context for this viewer, from the page's personal data: the
    platform and provision as the button needs them (ids, name, slug), without a query."""

    def personal(data: dict) -> dict:
        platform = Platform(**data["platform"])
        provision = Provision(pk=data["provision_pk"]) if data["provision_pk"] else None
        monitor = monitor_button_state_for_request(
            request, platform_id=platform.pk, provision_id=data["provision_pk"]
        )
        return {"platform": platform, "provision": provision, "monitor": monitor}

    return personal


def _cached_page(request, build, personal=None, *, key_extra: str = ""):
    return cached_page(
        request,
        variant=page_variant_for_request(request),
        build=build,
        personal=personal,
        key_extra=key_extra,
    )


def home(request):
    return _cached_page(
        request,
        lambda: PageBuild(
            "site/home.html",
            {
                "figures": catalog_figures(),
                "recent_changes": recent_changes(),
                "recent_provisions": provision_recently_published(),
            },
            dependencies=[HOME_PAGE],
        ),
    )


def search(request):
    def build():
        raw_query = request.GET.get("q", "")
        search_input = search_input_parse(raw_query)
        form = SearchFilterForm(request.GET)
        context = {"query": search_input.text, "search_input": search_input, "form": form}
        if not search_input.is_empty:
            results = catalog_search(
                search=search_input,
                filters=form.filters(),
                page_number=request.GET.get("page"),
                per_page=SEARCH_RESULTS_PER_PAGE,
            )
            context.update(results=results, page_obj=results.page)
            if results.found_nothing:
                context["popular_clause_types"] = clause_type_list().order_by(
                    "-provision_count", "name"
                )[:POPULAR_CLAUSE_TYPES]
        return PageBuild("site/search.html", context, dependencies=[SEARCH_RESULTS])

    return _cached_page(request, build)


def methodology(request):
    context = {
        "flipflop_max_versions": settings.DOCUMENTS_FLIPFLOP_MAX_VERSIONS,
        "flipflop_max_days": settings.DOCUMENTS_FLIPFLOP_MAX_DAYS,
        "grade_rule": grade_rule(),
    }
    return render(request, "site/methodology.html", context)


def platform_list_view(request):
    def build():
        form = PlatformFilterForm(request.GET)
        platforms = platform_list(**form.filters())
        page_obj = Paginator(platforms, PLATFORMS_PER_PAGE).get_page(request.GET.get("page"))
        return PageBuild(
            "platforms/platform_list.html",
            {"form": form, "page_obj": page_obj, "platforms": page_obj.object_list},
            dependencies=[PLATFORM_LIST_PAGE],
        )

    return _cached_page(request, build)


def platform_detail(request, platform_slug):
    def build():
        platform = get_object_or_404(Platform.objects.listed(), slug=platform_slug)
        return PageBuild(
            "platforms/platform_detail.html",
            {
                "platform": platform,
                "documents": platform_documents(platform=platform),
                "provisions": platform_provisions(platform=platform),
                "change_count": platform_change_count(platform=platform),
                "change_activity_days": CHANGE_ACTIVITY_DAYS,
                "min_graded_provisions": MIN_GRADED_PROVISIONS,
            },
            dependencies=[platform_page_token(platform.pk)],
            personal_data=_monitor_personal_data(platform),
        )

    return _cached_page(request, build, _monitor_personal(request))


def compare(request):
    """Platforms side by side by clause type. The canonical address lists them in one
    parameter (`?platforms=a,b,c`); the picker form sends one parameter per field, so its
    submission is redirected to that address, which is also the one worth sharing."""
    requested = request.GET.getlist("platforms")
    if len(requested) > 1:
        names = [name.strip() for value in requested for name in value.split(",")]
        # One name past the limit keeps the page's "not read" notice without a huge address.
        names = [name for name in names if name][: COMPARE_MAX_REQUESTED + 1]
        query = urlencode({"platforms": ",".join(names)}, safe=",")
        return redirect(f"{reverse('site:compare')}?{query}")

    def build():
        choice = comparison_choice(requested=requested[0].split(",") if requested else [])
        context = {
            "choice": choice,
            "picker_options": comparison_picker_options(),
            "picker_fields": _picker_fields(choice.platforms),
            "compare_min": COMPARE_MIN_PLATFORMS,
            "compare_max": COMPARE_MAX_PLATFORMS,
            "compare_max_requested": COMPARE_MAX_REQUESTED,
            "asked": bool(requested),
        }
        if choice.is_comparable:
            context["comparison"] = platform_comparison(platforms=choice.platforms)
            context["canonical_query"] = urlencode(
                {"platforms": ",".join(platform.slug for platform in choice.platforms)}, safe=","
            )
        # The picker lists every platform; the table shows the chosen ones' provisions.
        dependencies = [
            PLATFORM_LIST_PAGE,
            *(platform_page_token(platform.pk) for platform in choice.platforms),
        ]
        return PageBuild("site/compare.html", context, dependencies=dependencies)

    return _cached_page(request, build)


def _picker_fields(platforms: list[Platform]) -> list[str]:
    """The picker's fields, filled with the chosen platforms' slugs, then empty ones."""
    slugs = [platform.slug for platform in platforms]
    return slugs + [""] * (COMPARE_MAX_PLATFORMS - len(slugs))


def document_detail(request, platform_slug, document_slug):
    def build():
        document = document_get(platform_slug=platform_slug, document_slug=document_slug)
        if document is None:
            raise Http404("No such document.")
        versions = Paginator(document_versions(document=document), VERSIONS_PER_PAGE)
        return PageBuild(
            "platforms/document_detail.html",
            {
                "document": document,
                "platform": document.platform,
                "provisions": document_provisions(document_id=document.pk),
                "versions_page": versions.get_page(request.GET.get("page")),
                "version_numbers": version_numbers(document=document),
            },
            dependencies=[platform_page_token(document.platform_id)],
            personal_data=_monitor_personal_data(document.platform),
        )

    return _cached_page(request, build, _monitor_personal(request))


def provision_detail(request, platform_slug, document_slug, provision_slug):
    def build():
        provision = provision_get_published(
            platform_slug=platform_slug,
            document_slug=document_slug,
            provision_slug=provision_slug,
        )
        if provision is None:
            raise Http404("No such provision.")
        platform = provision.document.platform
        return PageBuild(
            "provisions/provision_detail.html",
            {
                "provision": provision,
                "document": provision.document,
                "platform": platform,
                "cited_version": provision.cited_version,
                "uniqueness": provision_uniqueness(provision=provision),
                "peers": provision_peers(provision=provision),
                "compliance": provision_compliance_analysis(
                    provision=provision, entitlements=entitlements_for_request(request)
                ),
                "siblings": provision_siblings(provision=provision),
                "articles": provision_related_articles(provision=provision),
                "faq": provision_faq(provision=provision),
                "stale_change": provision_stale_change(provision=provision),
                "change_count": platform_change_count(platform=platform),
                "change_activity_days": CHANGE_ACTIVITY_DAYS,
                "accessed_on": timezone.localdate(),
            },
            dependencies=provision_page_tokens(provision),
            personal_data=_monitor_personal_data(platform, provision),
        )

    # The citation says when the page was read: a copy lasts a day at most.
    return _cached_page(
        request, build, _monitor_personal(request), key_extra=str(timezone.localdate())
    )


def regulation_list_view(request):
    return _cached_page(
        request,
        lambda: PageBuild(
            "regulations/regulation_list.html",
            {"regulations": regulation_list()},
            dependencies=[REGULATION_LIST_PAGE],
        ),
    )


def regulation_detail(request, slug):
    def build():
        regulation = get_object_or_404(Regulation, slug=slug)
        page_obj = Paginator(
            regulation_provisions(regulation=regulation), REGULATION_PROVISIONS_PER_PAGE
        ).get_page(request.GET.get("page"))
        return PageBuild(
            "regulations/regulation_detail.html",
            {"regulation": regulation, "page_obj": page_obj, "provisions": page_obj.object_list},
            dependencies=[regulation_page_token(regulation.pk)],
        )

    return _cached_page(request, build)


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
        location = settings.SITE_URL + reverse("site:sitemap_section", kwargs={"section": section})
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


# The curator queue's rows: what waits, and the admin list filtered to exactly those items.
CURATOR_QUEUE_ROWS = (
    (
        "flagged",
        "Provisions flagged by a document change",
        "admin:provisions_provision_changelist",
        "needs_review__exact=1",
    ),
    (
        "in_review",
        "Drafts awaiting review",
        "admin:provisions_provision_changelist",
        "status__exact=in_review",
    ),
    (
        "suggestions",
        "Clause suggestions awaiting triage",
        "admin:assist_clausesuggestion_changelist",
        "status__exact=pending",
    ),
    (
        "failing",
        "Documents failing to fetch",
        "admin:documents_document_changelist",
        "health=failing",
    ),
)


def curator_queue(request):
    """The admin page curators start from (wrapped by admin_view in the root URLconf)."""
    counts = curator_queue_counts()
    now = timezone.now()
    rows = [
        {
            "label": label,
            "count": counts[key].count,
            "oldest": counts[key].oldest,
            "age": now - counts[key].oldest if counts[key].oldest else None,
            "url": f"{reverse(changelist)}?{query}",
        }
        for key, label, changelist, query in CURATOR_QUEUE_ROWS
    ]
    return render(
        request,
        "admin/curator_queue.html",
        {**admin.site.each_context(request), "title": "Curator queue", "rows": rows},
    )
