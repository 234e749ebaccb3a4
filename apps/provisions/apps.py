from django.apps import AppConfig


class ProvisionsConfig(AppConfig):
    name = "apps.provisions"
    label = "provisions"

    def ready(self):
        from apps.provisions import receivers  # noqa: F401  (connects the signal receivers)
