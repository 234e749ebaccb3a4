from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The compliance team's workspace, beside the site at the top of the layering: memo PDFs,
    governance timelines and the regulatory mapping of a watchlist. It combines the catalog,
    the monitoring watchlist and the plan's entitlements, and owns no table."""

    name = "apps.workspace"
    label = "workspace"
