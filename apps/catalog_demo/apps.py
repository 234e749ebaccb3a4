from django.apps import AppConfig


class CatalogDemoConfig(AppConfig):
    name = "apps.catalog_demo"
    label = "catalog_demo"
    verbose_name = "Demo catalog"
