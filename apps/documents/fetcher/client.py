"""Requests: documents (``fetch``) and JSON APIs (``api_get``, ``api_post_form``) over one path
with address checks, politeness, deadlines, size cap and classified errors."""

import email.utils
import http.client
import logging
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urljoin

import urllib3.exceptions
import urllib3.response
from django.conf import settings
from django.utils.http import parse_header_parameters
from urllib3.util.ssl_match_hostname import CertificateError

from apps.documents.fetcher.addresses import PinnedHTTPConnection, PinnedHTTPSConnection
from apps.documents.fetcher.body import body_read
from apps.documents.fetcher.errors import FetchError, FetchErrorKind
from apps.documents.fetcher.throttle import host_throttle
from apps.documents.fetcher.urls import Target, has_control_characters, target_parse

logger = logging.getLogger(__name__)

ACCEPTED_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/pdf"}
)
API_CONTENT_TYPES = frozenset({"application/json"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GONE_STATUSES = frozenset({404, 410})
# 408 and 425 ask the client to try again, 429 to slow down.
TRANSIENT_CLIENT_STATUSES = frozenset({408, 425, 429})
# The non-standard status some sites answer crawlers with.
BOT_BLOCK_STATUS = 999
# A Retry-After further away than this is treated as this: a host cannot park a document forever.
MAX_RETRY_AFTER = 24 * 3600.0

_ACCEPT = (
    "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,"
    "application/pdf;q=0.7"
)
# Headers the fetcher sets itself on every request; an API caller may add others, not these.
_OWN_HEADERS = frozenset(
    {
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
        "host",
        "content-type",
        "content-length",
        "transfer-encoding",
    }
)


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str
    not_modified: bool
    etag: str | None
    last_modified: str | None


# --- the fetch -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int
    max_redirects: int
    per_host_delay: float

    @classmethod
    def from_settings(cls) -> "_Limits":
        return cls(
            connect_timeout=settings.FETCHER_CONNECT_TIMEOUT,
            read_timeout=settings.FETCHER_READ_TIMEOUT,
            total_timeout=settings.FETCHER_TOTAL_TIMEOUT,
            max_bytes=settings.FETCHER_MAX_BYTES,
            max_redirects=settings.FETCHER_MAX_REDIRECTS,
            per_host_delay=settings.FETCHER_PER_HOST_DELAY,
        )


class _Deadline:
    def __init__(self, seconds: float):
        self._seconds = seconds
        self._ends_at = time.monotonic() + seconds

    def cap(self, timeout: float) -> float:
        """``timeout``, shortened to what is left of the total; raises once nothing is."""
        remaining = self._ends_at - time.monotonic()
        if remaining <= 0:
            raise self.exceeded()
        return min(timeout, remaining)

    def has_passed(self) -> bool:
        return time.monotonic() >= self._ends_at

    def exceeded(self) -> FetchError:
        return FetchError(
            FetchErrorKind.TRANSIENT, f"total deadline of {self._seconds:g} s exceeded"
        )


@dataclass(frozen=True)
class _Request:
    """What differs between fetching a document and calling an API. Everything else (address
    checks, throttle, deadlines, size cap, error kinds) is the one path in ``_perform``."""

    method: str
    headers: dict[str, str]
    body: bytes | None
    accepted_types: frozenset[str]
    expected: str  # what ``accepted_types`` are, for the error message
    follow_redirects: bool


@dataclass(frozen=True)
class _Exchange:
    connection: PinnedHTTPConnection | PinnedHTTPSConnection
    response: urllib3.response.HTTPResponse
    watchdog: threading.Timer

    def close(self) -> None:
        self.watchdog.cancel()
        self.response.close()
        self.connection.close()


def _own_headers(accept: str) -> dict[str, str]:
    return {
        "User-Agent": settings.FETCHER_USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
    """GET ``url`` following at most FETCHER_MAX_REDIRECTS redirects. A 304 answer to the
    conditional request (``etag`` / ``last_modified`` of the previous fetch) comes back as
    ``not_modified=True`` with an empty body. Raises FetchError."""
    headers = {**_own_headers(_ACCEPT), "Accept-Language": "en"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = _Request(
        method="GET",
        headers=headers,
        body=None,
        accepted_types=ACCEPTED_CONTENT_TYPES,
        expected="a document type",
        follow_redirects=True,
    )
    return _perform(url, request, sent_etag=etag)


def api_get(url: str, *, headers: dict[str, str]) -> FetchResult:
    """GET a JSON API at ``url`` with the caller's extra ``headers`` (credentials, say).
    Redirects are not followed. Raises FetchError."""
    return _perform(url, _api_request("GET", headers))


def api_post_form(url: str, *, data: dict[str, str], headers: dict[str, str]) -> FetchResult:
    """POST ``data`` form-encoded to a JSON API at ``url`` with the caller's extra ``headers``.
    Redirects are not followed. Raises FetchError."""
    return _perform(
        url,
        _api_request(
            "POST",
            headers,
            body=urlencode(data).encode("ascii"),
            content_type="application/x-www-form-urlencoded",
        ),
    )


def _api_request(
    method: str,
    caller_headers: dict[str, str],
    *,
    body: bytes | None = None,
    content_type: str | None = None,
) -> _Request:
    for name, value in caller_headers.items():
        if name.lower() in _OWN_HEADERS:
            raise FetchError(FetchErrorKind.REFUSED, f"header {name} is the fetcher's to set")
        if has_control_characters(name + value):
            raise FetchError(FetchErrorKind.REFUSED, f"malformed header {name}: control characters")
    headers = {**caller_headers, **_own_headers("application/json")}
    if content_type:
        headers["Content-Type"] = content_type
    return _Request(
        method=method,
        headers=headers,
        body=body,
        accepted_types=API_CONTENT_TYPES,
        expected="JSON",
        follow_redirects=False,
    )


def _perform(url: str, request: _Request, *, sent_etag: str | None = None) -> FetchResult:
    limits = _Limits.from_settings()
    deadline = _Deadline(limits.total_timeout)
    visited: list[str] = []
    next_url = url
    for hop in range(limits.max_redirects + 1):
        target = target_parse(next_url)
        if target.url in visited:
            raise FetchError(FetchErrorKind.REFUSED, f"redirect loop back to {target.url}")
        visited.append(target.url)
        exchange = _send(target, request, limits, deadline, first=hop == 0)
        try:
            status = exchange.response.status
            if status not in REDIRECT_STATUSES:
                return _conclude(url, target, exchange, request, limits, deadline, sent_etag)
            if not request.follow_redirects:
                raise FetchError(
                    FetchErrorKind.REFUSED,
                    f"{target.url} answered {status}; an API call follows no redirect",
                    status=status,
                )
            next_url = _redirect_location(target, exchange)
            logger.debug("fetch %s: %s redirects to %s", url, target.url, next_url)
        finally:
            exchange.close()
            host_throttle().finished(target.host, limits.per_host_delay)
    raise FetchError(
        FetchErrorKind.REFUSED, f"more than {limits.max_redirects} redirects from {url}"
    )


def _redirect_location(target: Target, exchange: _Exchange) -> str:
    location = exchange.response.headers.get("location", "").strip()
    if not location:
        raise FetchError(
            FetchErrorKind.REFUSED,
            f"redirect {exchange.response.status} without a Location from {target.url}",
            status=exchange.response.status,
        )
    try:
        return urljoin(target.url, location)
    except ValueError as exc:
        raise FetchError(
            FetchErrorKind.REFUSED, f"malformed redirect to {location!r}: {exc}"
        ) from exc


def _send(
    target: Target, request: _Request, limits: _Limits, deadline: _Deadline, *, first: bool
) -> _Exchange:
    host_throttle().wait_turn(target.host, limits.per_host_delay)
    timeout = deadline.cap(limits.connect_timeout)
    if target.scheme == "https":
        connection = PinnedHTTPSConnection(
            target.host, target.port, timeout=timeout, ca_certs=settings.FETCHER_CA_BUNDLE or None
        )
    else:
        connection = PinnedHTTPConnection(target.host, target.port, timeout=timeout)
    # An exemption is for the server a curator or a setting named, not for wherever that server
    # redirects: a hop is always checked.
    connection.check_addresses = not (first and _endpoint_allowed(target))
    watchdog = threading.Timer(deadline.cap(limits.total_timeout), connection.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            request.method,
            target.request_target,
            body=request.body,
            headers=request.headers,
            preload_content=False,
            decode_content=False,
        )
        connection.timeout = deadline.cap(limits.read_timeout)
        return _Exchange(connection, connection.getresponse(), watchdog)
    except FetchError:
        watchdog.cancel()
        connection.close()
        raise
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
        watchdog.cancel()
        connection.close()
        raise _transport_error(target, exc, deadline) from exc


def _endpoint_allowed(target: Target) -> bool:
    """Whether FETCHER_ALLOWED_HOSTS exempts the target's host and port from the address check.
    Entries are "host:port" ("[::1]:8000" for an IPv6 address); one without a port exempts
    nothing."""
    for entry in settings.FETCHER_ALLOWED_HOSTS:
        host, _, port = entry.strip().lower().rpartition(":")
        if port.isdigit() and (host.strip("[]"), int(port)) == (target.host, target.port):
            return True
    return False


def _transport_error(target: Target, exc: Exception, deadline: _Deadline) -> FetchError:
    if isinstance(exc, ssl.SSLCertVerificationError | CertificateError):
        return FetchError(
            FetchErrorKind.REFUSED, f"TLS certificate of {target.host} not valid: {exc}"
        )
    if deadline.has_passed():
        return deadline.exceeded()
    if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        return FetchError(FetchErrorKind.TRANSIENT, f"timed out fetching {target.url}")
    return FetchError(FetchErrorKind.TRANSIENT, f"network error fetching {target.url}: {exc}")


def _conclude(
    url: str,
    target: Target,
    exchange: _Exchange,
    request: _Request,
    limits: _Limits,
    deadline: _Deadline,
    sent_etag: str | None,
) -> FetchResult:
    status = exchange.response.status
    raw_headers = exchange.response.headers
    headers = {name.lower(): ", ".join(raw_headers.getlist(name)) for name in raw_headers}
    _raise_for_status(target, status, headers)
    content_type, _ = parse_header_parameters(headers.get("content-type", ""))
    not_modified = status == 304
    if not_modified:
        body = b""
    elif content_type not in request.accepted_types:
        raise FetchError(
            FetchErrorKind.REFUSED,
            f"content type {content_type or '(none)'} of {target.url} is not {request.expected}",
            status=status,
        )
    else:
        body = _read_body(target, exchange, headers, limits, deadline)
    return FetchResult(
        url=url,
        final_url=target.url,
        status=status,
        headers=headers,
        body=body,
        content_type=content_type,
        not_modified=not_modified,
        etag=headers.get("etag") or (sent_etag if not_modified else None),
        last_modified=headers.get("last-modified"),
    )


def _raise_for_status(target: Target, status: int, headers: dict[str, str]) -> None:
    if 200 <= status < 300 or status == 304:
        return
    where = f"{target.url} answered {status}"
    if status in GONE_STATUSES:
        raise FetchError(FetchErrorKind.GONE, where, status=status)
    if status == BOT_BLOCK_STATUS:
        raise FetchError(FetchErrorKind.BLOCKED, where, status=status)
    if status >= 500 or status in TRANSIENT_CLIENT_STATUSES:
        retry_after = parse_retry_after(headers.get("retry-after", ""), now=wall_clock())
        if retry_after:
            host_throttle().pause(target.host, retry_after)
        raise FetchError(FetchErrorKind.TRANSIENT, where, status=status, retry_after=retry_after)
    if 400 <= status < 500:
        raise FetchError(FetchErrorKind.BLOCKED, where, status=status)
    raise FetchError(FetchErrorKind.REFUSED, f"{where}, not a final answer", status=status)


def wall_clock() -> datetime:
    """Now, for Retry-After dates (a function, so tests can set the time)."""
    return datetime.now(UTC)


def parse_retry_after(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _read_body(
    target: Target,
    exchange: _Exchange,
    headers: dict[str, str],
    limits: _Limits,
    deadline: _Deadline,
) -> bytes:
    def check_interrupted() -> None:
        if exchange.connection.aborted:
            # The watchdog's shutdown reads as a normal end of a body without a length.
            raise deadline.exceeded()

    try:
        return body_read(
            lambda size: exchange.response.read1(size, decode_content=False),
            url=target.url,
            encoding=headers.get("content-encoding", "").strip().lower(),
            declared_length=headers.get("content-length", ""),
            max_bytes=limits.max_bytes,
            check_interrupted=check_interrupted,
        )
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
        raise _transport_error(target, exc, deadline) from exc
