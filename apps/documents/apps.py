from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    label = "documents"

    def ready(self):
        from apps.documents import (  # noqa: F401  (connect the receivers, register the checks)
            checks,
            receivers,
        )
