"""One JSON shape for every error the API returns: `{"message": ..., "extra": {...}}` (STYLE.md
§2), whatever raised it: a domain rule (ApplicationError), DRF (authentication, permissions,
throttles, validation, 404) or a bad query parameter."""

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import ApplicationError


class BadParameter(exceptions.APIException):
    """A query parameter the API cannot use; the 400 names it in `extra.parameter`."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, parameter: str, message: str):
        super().__init__(detail=message)
        self.parameter = parameter


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        # A domain error carrying a limit is a plan limit (watchlist full): forbidden until the
        # plan changes, not malformed input.
        code = status.HTTP_403_FORBIDDEN if "limit" in exc.extra else status.HTTP_400_BAD_REQUEST
        return Response({"message": exc.message, "extra": exc.extra}, status=code)
    # DRF's handler turns Http404 and PermissionDenied into its own exceptions and sets the
    # WWW-Authenticate and Retry-After headers; only the body is reshaped here.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _error_body(exc)
    return response


def _error_body(exc) -> dict:
    if isinstance(exc, BadParameter):
        return {"message": str(exc.detail), "extra": {"parameter": exc.parameter}}
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return {
            "message": f"Too many requests for this plan's rate. Retry in {wait} seconds.",
            "extra": {"retry_after": wait},
        }
    if isinstance(exc, exceptions.ValidationError):
        return {"message": "The request body is not valid.", "extra": {"fields": exc.detail}}
    detail = getattr(exc, "detail", None)
    return {"message": str(detail) if detail else "The request failed.", "extra": {}}


def json_error(message: str, *, status_code: int, extra: dict | None = None) -> JsonResponse:
    """The same shape from a plain Django view (an unknown address under /api/)."""
    return JsonResponse({"message": message, "extra": extra or {}}, status=status_code)


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    extra = serializers.DictField(help_text="Structured detail: parameter, limit, retry_after…")


_ERROR_DESCRIPTIONS = {
    400: ("A query parameter or the body is not valid.", "Unknown clause type “x”.", "parameter"),
    401: ("The key is malformed, unknown or revoked.", "This API key is not valid.", None),
    403: (
        "The plan or the key's scope does not allow this.",
        "API access is not part of your Free plan.",
        None,
    ),
    404: ("Nothing with this identifier.", "No platform “x”.", None),
    429: ("The plan's rate is used up; see Retry-After.", "Too many requests.", "retry_after"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an endpoint can answer with."""
    responses = {}
    for code in codes:
        description, message, extra_key = _ERROR_DESCRIPTIONS[code]
        extra = {extra_key: 1 if extra_key == "retry_after" else "q"} if extra_key else {}
        responses[code] = OpenApiResponse(
            ErrorSerializer,
            description=description,
            examples=[
                OpenApiExample(
                    f"error {code}", value={"message": message, "extra": extra}, status_codes=[code]
                )
            ],
        )
    return responses
