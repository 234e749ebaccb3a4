"""The URLs the fetcher accepts (http and https, no credentials, a valid host and port) and the
request target it sends for them."""

from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from apps.documents.fetcher.errors import FetchError, FetchErrorKind

_SAFE_PATH_CHARS = "/%:@!$&'()*+,;=~-._"
_SAFE_QUERY_CHARS = _SAFE_PATH_CHARS + "?"


# --- URLs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    request_target: str


def has_control_characters(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def target_parse(url: str) -> Target:
    url = url.strip()
    if has_control_characters(url):
        raise FetchError(FetchErrorKind.REFUSED, "malformed URL: control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(FetchErrorKind.REFUSED, f"malformed URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(FetchErrorKind.REFUSED, f"only http and https are fetched, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise FetchError(FetchErrorKind.REFUSED, "URLs with credentials are not fetched")
    host = parts.hostname or ""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise FetchError(FetchErrorKind.REFUSED, f"malformed host name in {url!r}") from exc
    if not host or any(char in host for char in " %/\\"):
        raise FetchError(FetchErrorKind.REFUSED, f"malformed URL {url!r}: no valid host")
    if port == 0:
        raise FetchError(FetchErrorKind.REFUSED, f"malformed URL {url!r}: port 0")
    port = port or (443 if scheme == "https" else 80)
    path = quote(parts.path or "/", safe=_SAFE_PATH_CHARS)
    query = quote(parts.query, safe=_SAFE_QUERY_CHARS)
    netloc_host = f"[{host}]" if ":" in host else host
    default_port = port == (443 if scheme == "https" else 80)
    netloc = netloc_host if default_port else f"{netloc_host}:{port}"
    return Target(
        url=urlunsplit((scheme, netloc, path, query, "")),
        scheme=scheme,
        host=host,
        port=port,
        request_target=f"{path}?{query}" if query else path,
    )
