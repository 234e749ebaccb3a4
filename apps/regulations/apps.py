from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "apps.regulations"
    label = "regulations"
