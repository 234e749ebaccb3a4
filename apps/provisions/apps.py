from django.apps import AppConfig


class ProvisionsConfig(AppConfig):
    name = "apps.provisions"
    label = "provisions"
