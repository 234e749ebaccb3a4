from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from apps.billing.entitlements import page_variant_for_request
from apps.core.page_cache import PageBuild, cached_page
from apps.core.page_tokens import CLAUSE_TYPE_LIST_PAGE, clause_type_page_token
from apps.provisions.models import ClauseType
from apps.provisions.selectors import (
    article_get_published,
    article_list,
    clause_type_list,
    clause_type_provisions,
)

CLAUSE_TYPE_PROVISIONS_PER_PAGE = 30
# The comparison page sets at most five platforms side by side (COMPARE_MAX_PLATFORMS of
# apps/site/selectors.py, which this app stands below and cannot import).
COMPARE_LINK_PLATFORMS = 5
ARTICLES_PER_PAGE = 20


def clause_type_list_view(request):
    return cached_page(
        request,
        variant=page_variant_for_request(request),
        build=lambda: PageBuild(
            "provisions/clause_type_list.html",
            {"clause_types": clause_type_list()},
            dependencies=[CLAUSE_TYPE_LIST_PAGE],
        ),
    )


def clause_type_detail(request, slug):
    def build():
        clause_type = get_object_or_404(ClauseType, slug=slug)
        page_obj = Paginator(
            clause_type_provisions(clause_type=clause_type), CLAUSE_TYPE_PROVISIONS_PER_PAGE
        ).get_page(request.GET.get("page"))
        provisions = list(page_obj.object_list)
        platform_slugs = dict.fromkeys(provision.document.platform.slug for provision in provisions)
        return PageBuild(
            "provisions/clause_type_detail.html",
            {
                "clause_type": clause_type,
                "page_obj": page_obj,
                "provisions": provisions,
                "compare_platforms": ",".join(list(platform_slugs)[:COMPARE_LINK_PLATFORMS]),
                "can_compare": len(platform_slugs) > 1,
            },
            dependencies=[clause_type_page_token(clause_type.pk)],
        )

    return cached_page(request, variant=page_variant_for_request(request), build=build)


def article_list_view(request):
    page_obj = Paginator(article_list(), ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "provisions/article_list.html",
        {"page_obj": page_obj, "articles": page_obj.object_list},
    )


def article_detail(request, slug):
    article = article_get_published(slug=slug)
    if article is None:
        raise Http404("No such article.")
    return render(request, "provisions/article_detail.html", {"article": article})
