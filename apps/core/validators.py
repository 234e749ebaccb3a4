"""Validators shared by every app's models."""

from django.core.validators import URLValidator

# A catalog link is clicked by visitors: any scheme but http(s) (javascript:, data:, file:,
# even ftp:) is either an attack or a link no browser should follow from our pages.
HTTP_SCHEMES = ("http", "https")

_http_url_validator = URLValidator(
    schemes=list(HTTP_SCHEMES), message="Enter a web address starting with http:// or https://."
)


def validate_http_url(value: str) -> None:
    """Refuses any URL that is not an absolute http:// or https:// address. A function rather
    than a validator instance, so migrations refer to it by name."""
    _http_url_validator(value)
