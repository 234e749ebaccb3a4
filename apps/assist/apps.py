from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "apps.assist"
    label = "assist"
    verbose_name = "Curator assistance"

    def ready(self):
        from apps.assist import receivers  # noqa: F401  (connects the signal receivers)
