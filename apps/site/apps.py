from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: public pages that combine the catalog with what a member may see and do
    (home, search, platform, document, provision and regulation pages, record redirects,
    sitemaps, robots.txt and error pages). Every other app stands below it."""

    name = "apps.site"
    label = "site"

    def ready(self):
        from apps.site import receivers  # noqa: F401 - connects the search index to the catalog
