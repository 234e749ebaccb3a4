from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    label = "monitoring"

    def ready(self):
        from apps.monitoring import receivers  # noqa: F401  (connects the billing receivers)
