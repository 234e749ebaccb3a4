from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"

    def ready(self):
        from apps.billing import receivers  # noqa: F401  (connects the signal receivers)
