from urllib.parse import urlsplit

from django import template

from apps.core.validators import HTTP_SCHEMES

register = template.Library()

# Browsers ignore these anywhere in a URL ("java\tscript:") and strip them, with spaces and
# other control characters, from its ends; they must not hide a scheme from the check below.
_IGNORED_BY_BROWSERS = str.maketrans("", "", "\t\n\r")
_STRIPPED_BY_BROWSERS = "".join(chr(code) for code in range(0x21))


@register.filter
def safe_href(url) -> str:
    """`url` if it is an absolute http(s) address, else "#": a link to a stored URL must never
    run script (javascript:) or open local content (data:, file:) when clicked, however the URL
    reached the database."""
    candidate = str(url or "").translate(_IGNORED_BY_BROWSERS).strip(_STRIPPED_BY_BROWSERS)
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return "#"
    if parts.scheme.lower() not in HTTP_SCHEMES or not parts.netloc:
        return "#"
    return candidate
