from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from apps.billing.entitlements import entitlements_for_request
from apps.platforms.selectors import CHANGE_ACTIVITY_DAYS, platform_change_count
from apps.provisions.models import ClauseType
from apps.provisions.selectors import (
    article_get_published,
    article_list,
    clause_type_list,
    clause_type_provisions,
    provision_compliance_analysis,
    provision_faq,
    provision_get_published,
    provision_peers,
    provision_related_articles,
    provision_siblings,
    provision_stale_change,
    provision_uniqueness,
)

CLAUSE_TYPE_PROVISIONS_PER_PAGE = 30
ARTICLES_PER_PAGE = 20


def provision_detail(request, platform_slug, document_slug, provision_slug):
    provision = provision_get_published(
        platform_slug=platform_slug, document_slug=document_slug, provision_slug=provision_slug
    )
    if provision is None:
        raise Http404("No such provision.")
    platform = provision.document.platform
    return render(
        request,
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
    )


def clause_type_list_view(request):
    return render(request, "provisions/clause_type_list.html", {"clause_types": clause_type_list()})


def clause_type_detail(request, slug):
    clause_type = get_object_or_404(ClauseType, slug=slug)
    page_obj = Paginator(
        clause_type_provisions(clause_type=clause_type), CLAUSE_TYPE_PROVISIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "provisions/clause_type_detail.html",
        {"clause_type": clause_type, "page_obj": page_obj, "provisions": page_obj.object_list},
    )


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
