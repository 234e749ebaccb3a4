from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: public pages that combine the catalog with what a member may see and do
    (home, search, platform, document, provision and regulation pages, record redirects,
    sitemaps, robots.txt and error pages). Every other app stands below it."""

    name = "apps.site"
    label = "site"

    def ready(self):
        from django.db.models.signals import post_migrate

        from apps.site import receivers

        post_migrate.connect(
            receivers.search_index_after_migrate, sender=self, dispatch_uid="site.post_migrate"
        )
