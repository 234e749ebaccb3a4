from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        # Registers the bearer-key scheme with drf-spectacular.
        from apps.api import schema  # noqa: F401
