from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    label = "documents"

    def ready(self):
        from apps.documents import receivers  # noqa: F401  (connects the signal receivers)
