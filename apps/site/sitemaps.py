"""The sitemap sections. Locations are absolute on SITE_URL, the address the service is published
under, rather than on the sites framework's domain row, which nobody maintains."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from apps.documents.models import Document
from apps.platforms.models import Platform
from apps.provisions.models import Provision
from apps.provisions.selectors import article_list, clause_type_list
from apps.regulations.models import Regulation


class SiteUrlSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticPageSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "site:home",
            "platforms:platform_list",
            "provisions:clause_type_list",
            "regulations:regulation_list",
            "provisions:article_list",
            "site:methodology",
        ]

    def location(self, item):
        return reverse(item)


class UpdatedAtSitemap(SiteUrlSitemap):
    def lastmod(self, item):
        return item.updated_at


class PlatformSitemap(UpdatedAtSitemap):
    def items(self):
        return Platform.objects.listed().only("slug", "updated_at").order_by("pk")


class DocumentSitemap(UpdatedAtSitemap):
    def items(self):
        return (
            Document.objects.select_related("platform")
            .filter(platform__is_listed=True)
            .only("slug", "updated_at", "platform__slug")
            .order_by("pk")
        )


class ProvisionSitemap(UpdatedAtSitemap):
    def items(self):
        return (
            Provision.objects.published()
            .select_related("document__platform")
            .only("slug", "updated_at", "document__slug", "document__platform__slug")
            .order_by("pk")
        )


class ClauseTypeSitemap(UpdatedAtSitemap):
    def items(self):
        return clause_type_list().order_by("pk")


class RegulationSitemap(UpdatedAtSitemap):
    def items(self):
        return Regulation.objects.only("slug", "updated_at").order_by("pk")


class ArticleSitemap(UpdatedAtSitemap):
    def items(self):
        return article_list().only("slug", "updated_at").order_by("pk")


SITEMAPS = {
    "pages": StaticPageSitemap,
    "platforms": PlatformSitemap,
    "documents": DocumentSitemap,
    "provisions": ProvisionSitemap,
    "clause-types": ClauseTypeSitemap,
    "regulations": RegulationSitemap,
    "research": ArticleSitemap,
}
