"""Page sizes are capped (API_MAX_PAGE_SIZE); a bad page or cursor is a 400 naming it."""

from django.conf import settings
from rest_framework import exceptions, pagination

from apps.api.errors import BadParameter


class CappedPageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise BadParameter("page", "There is no such page.") from error


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Stable pages over a growing list (new versions arrive at the top)."""

    page_size_query_param = "page_size"
    ordering = ("-captured_at", "-id")

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise BadParameter("cursor", "This cursor is not valid: follow `next`.") from error


class NewestChangesCursorPagination(NewestFirstCursorPagination):
    ordering = ("-created_at", "-id")
