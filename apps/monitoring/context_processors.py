from django.utils.functional import SimpleLazyObject
from django_scopes import scope

from apps.accounts.selectors import organization_current
from apps.monitoring.selectors import notification_unread_count_for_request


def dashboard_link(request):
    """The header's link to the dashboard of the organization a signed-in member acts for,
    with its unread notifications. Lazy: a page that does not render the header (or a
    visitor's page) runs no query, and one that does runs one count."""

    def build():
        organization = organization_current(request)
        if organization is None:
            return None
        with scope(organization=organization):
            unread = notification_unread_count_for_request(request, organization=organization)
        return {"url": organization.get_absolute_url(), "unread": unread}

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"dashboard_link": SimpleLazyObject(build)}
