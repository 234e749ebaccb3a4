"""The one place ConductAtlas opens outbound HTTP: fetching the public documents it archives
(``fetch``) and calling the few JSON APIs it uses, such as the Wayback Machine's Save Page Now
(``api_get``, ``api_post_form``).

Document URLs come from curators and from redirects chosen by third-party servers, and an API's
endpoint comes from a setting, so every request, whatever its method, takes the same path and is
treated as an attempt to reach our own network (SSRF):

- only http and https;
- the host name is resolved once per connection, *every* resolved address is checked, and the
  socket is connected to the checked address itself, so a second DNS answer (DNS rebinding)
  can never be used; TLS still verifies the certificate against the host name (SNI);
- each redirect hop goes through the same check, at most ``FETCHER_MAX_REDIRECTS`` of them;
- connect, read and total deadlines; the body is decoded here, chunk by chunk, and refused as
  soon as the decoded size passes ``FETCHER_MAX_BYTES`` (so a gzip bomb costs us nothing);
- only the media types the caller can use are accepted: documents we can extract text from, or
  JSON from an API.

API calls never follow a redirect: they carry credentials that a redirect must not hand to
another host, and a POST must not be replayed (a second capture job) or turned into a GET of
some other page (what a 303 asks) that is not the API's answer. A 3xx is a REFUSED error.

Failures raise ``FetchError`` with a kind the caller uses to decide whether to retry.
"""

import contextlib
import email.utils
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

import urllib3.connection
import urllib3.exceptions
import urllib3.response
from django.conf import settings
from urllib3.util.ssl_match_hostname import CertificateError

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
CHUNK_SIZE = 64 * 1024
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
_SAFE_PATH_CHARS = "/%:@!$&'()*+,;=~-._"
_SAFE_QUERY_CHARS = _SAFE_PATH_CHARS + "?"


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

    @property
    def charset(self) -> str | None:
        """The charset parameter of the Content-Type header, for the extractor."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class FetchErrorKind(StrEnum):
    TRANSIENT = "transient"  # worth retrying later: timeouts, 5xx, 429, network errors
    BLOCKED = "blocked"  # the server refuses us: 401/403 and other 4xx
    GONE = "gone"  # 404/410: the document is no longer at this URL
    REFUSED = "refused"  # we refused: unsafe address, bad URL, too large, wrong type, loops


class FetchError(Exception):
    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


# --- addresses -----------------------------------------------------------------------------

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: IPAddress) -> str | None:
    """Why we must not connect to ``address``, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = address_refusal(embedded)
            return f"{reason} (embedded in {address})" if reason else None
        if address in _NAT64_LOCAL_USE:
            return "local-use NAT64"
    if address in _METADATA_ADDRESSES:
        return "cloud metadata"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "shared (CGNAT)"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-global"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and would route to (mapped, NAT64, 6to4)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _resolve(host: str, port: int) -> list[tuple[int, tuple]]:
    """(family, sockaddr) for every address ``host`` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(FetchErrorKind.TRANSIENT, f"cannot resolve {host}: {exc}") from exc
    except UnicodeError as exc:  # a label the IDNA codec rejects, such as one too long
        raise FetchError(FetchErrorKind.REFUSED, f"malformed host name {host!r}") from exc
    addresses = [(family, sockaddr) for family, _, _, _, sockaddr in infos]
    if not addresses:
        raise FetchError(FetchErrorKind.TRANSIENT, f"{host} resolves to no address")
    return addresses


def _open_pinned_socket(host: str, port: int, *, timeout: float, check: bool) -> socket.socket:
    """Resolve ``host`` once, check every address, and connect to a checked one."""
    addresses = _resolve(host, port)
    if check:
        for _, sockaddr in addresses:
            reason = address_refusal(ipaddress.ip_address(sockaddr[0]))
            if reason:
                raise FetchError(
                    FetchErrorKind.REFUSED,
                    f"{host} resolves to {sockaddr[0]}, not a public address ({reason})",
                )
    error: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise FetchError(FetchErrorKind.TRANSIENT, f"cannot connect to {host}:{port}: {error}")


class _PinnedConnectionMixin:
    """Replaces urllib3's own resolve-and-connect, which would do a second, unchecked lookup.
    Keeps the (TLS-wrapped) socket for ``abort``: http.client drops ``sock`` from a connection
    that will close while the response still reads from it."""

    check_addresses: bool = True
    connected_socket: socket.socket | None = None
    aborted: bool = False

    def _new_conn(self) -> socket.socket:
        return _open_pinned_socket(
            self._dns_host, self.port, timeout=self.timeout, check=self.check_addresses
        )

    def connect(self) -> None:
        super().connect()
        self.connected_socket = self.sock

    def abort(self) -> None:
        """Cut the connection from the total deadline's watchdog thread: read timeouts alone
        let a server that drips its headers or body run past the deadline."""
        self.aborted = True
        if self.connected_socket is not None:
            with contextlib.suppress(OSError):
                self.connected_socket.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(_PinnedConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, urllib3.connection.HTTPSConnection):
    pass


# --- politeness ----------------------------------------------------------------------------


class HostThrottle:
    """Process-local spacing of requests to one host (from the end of one exchange to the
    start of the next), and the pause a host asked for with Retry-After. Concurrent fetches
    of one host in a process queue behind each other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._not_before: dict[str, float] = {}

    def wait_turn(self, host: str, interval: float) -> None:
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            now = time.monotonic()
            paused_for = self._not_before.get(host, now) - now
            if paused_for > 0:
                raise FetchError(
                    FetchErrorKind.TRANSIENT,
                    f"{host} asked us to wait {paused_for:.0f} s more (Retry-After)",
                    retry_after=paused_for,
                )
            last = self._last_request.get(host)
            if last is not None and now - last < interval:
                time.sleep(interval - (now - last))
            self._last_request[host] = time.monotonic()

    def finished(self, host: str) -> None:
        with self._lock:
            self._last_request[host] = time.monotonic()

    def pause(self, host: str, seconds: float) -> None:
        with self._lock:
            self._not_before[host] = max(
                self._not_before.get(host, 0.0), time.monotonic() + seconds
            )

    def clear(self) -> None:
        with self._lock:
            self._host_locks.clear()
            self._last_request.clear()
            self._not_before.clear()


host_throttle = HostThrottle()


# --- URLs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    request_target: str


def _has_control_characters(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def _parse_target(url: str) -> _Target:
    url = url.strip()
    if _has_control_characters(url):
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
    return _Target(
        url=urlunsplit((scheme, netloc, path, query, "")),
        scheme=scheme,
        host=host,
        port=port,
        request_target=f"{path}?{query}" if query else path,
    )


# --- bodies --------------------------------------------------------------------------------


class _BodyDecoder:
    """Undoes Content-Encoding in bounded steps: no single step yields more than CHUNK_SIZE."""

    def __init__(self, encoding: str):
        self._encoding = encoding
        if encoding in ("", "identity"):
            self._wbits = None
        elif encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        else:
            raise FetchError(FetchErrorKind.REFUSED, f"unsupported Content-Encoding {encoding!r}")
        self._decompressor = zlib.decompressobj(self._wbits) if self._wbits else None
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decompressor is None:
            yield data
            return
        while data:
            try:
                piece = self._decompressor.decompress(data, CHUNK_SIZE)
            except zlib.error as exc:
                # Some servers send raw deflate under "deflate"; switch once, at the start only.
                if self._encoding == "deflate" and not self._started and self._wbits > 0:
                    self._wbits = -zlib.MAX_WBITS
                    self._decompressor = zlib.decompressobj(self._wbits)
                    continue
                raise FetchError(
                    FetchErrorKind.TRANSIENT, f"corrupt {self._encoding} body: {exc}"
                ) from exc
            self._started = True
            yield piece
            data = self._decompressor.unconsumed_tail
            if self._decompressor.eof and self._decompressor.unused_data:
                # A gzip body may hold several members; each needs a fresh decompressor.
                data = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(self._wbits)

    def finish(self) -> None:
        if self._decompressor is not None and self._started and not self._decompressor.eof:
            raise FetchError(FetchErrorKind.TRANSIENT, f"truncated {self._encoding} body")


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
    connection: _PinnedHTTPConnection | _PinnedHTTPSConnection
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
        if _has_control_characters(name + value):
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
    for _ in range(limits.max_redirects + 1):
        target = _parse_target(next_url)
        if target.url in visited:
            raise FetchError(FetchErrorKind.REFUSED, f"redirect loop back to {target.url}")
        visited.append(target.url)
        exchange = _send(target, request, limits, deadline)
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
            host_throttle.finished(target.host)
    raise FetchError(
        FetchErrorKind.REFUSED, f"more than {limits.max_redirects} redirects from {url}"
    )


def _redirect_location(target: _Target, exchange: _Exchange) -> str:
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


def _send(target: _Target, request: _Request, limits: _Limits, deadline: _Deadline) -> _Exchange:
    host_throttle.wait_turn(target.host, limits.per_host_delay)
    timeout = deadline.cap(limits.connect_timeout)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host, target.port, timeout=timeout, ca_certs=settings.FETCHER_CA_BUNDLE or None
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, timeout=timeout)
    allowed_hosts = {host.lower() for host in settings.FETCHER_ALLOWED_HOSTS}
    connection.check_addresses = target.host not in allowed_hosts
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


def _transport_error(target: _Target, exc: Exception, deadline: _Deadline) -> FetchError:
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
    target: _Target,
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
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
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


def _raise_for_status(target: _Target, status: int, headers: dict[str, str]) -> None:
    if 200 <= status < 300 or status == 304:
        return
    where = f"{target.url} answered {status}"
    if status in GONE_STATUSES:
        raise FetchError(FetchErrorKind.GONE, where, status=status)
    if status == BOT_BLOCK_STATUS:
        raise FetchError(FetchErrorKind.BLOCKED, where, status=status)
    if status >= 500 or status in TRANSIENT_CLIENT_STATUSES:
        retry_after = parse_retry_after(headers.get("retry-after", ""))
        if retry_after:
            host_throttle.pause(target.host, retry_after)
        raise FetchError(FetchErrorKind.TRANSIENT, where, status=status, retry_after=retry_after)
    if 400 <= status < 500:
        raise FetchError(FetchErrorKind.BLOCKED, where, status=status)
    raise FetchError(FetchErrorKind.REFUSED, f"{where}, not a final answer", status=status)


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
    target: _Target,
    exchange: _Exchange,
    headers: dict[str, str],
    limits: _Limits,
    deadline: _Deadline,
) -> bytes:
    too_large = f"body of {target.url} is larger than {limits.max_bytes} bytes"
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(FetchErrorKind.REFUSED, too_large)
    encoding = headers.get("content-encoding", "").strip().lower()
    decoder = _BodyDecoder(encoding)
    body = bytearray()
    received = 0
    try:
        while True:
            chunk = exchange.response.read1(CHUNK_SIZE, decode_content=False)
            if not chunk:
                break
            received += len(chunk)
            if received > limits.max_bytes:
                raise FetchError(FetchErrorKind.REFUSED, too_large)
            for piece in decoder.feed(chunk):
                body += piece
                if len(body) > limits.max_bytes:
                    raise FetchError(
                        FetchErrorKind.REFUSED,
                        f"decoded body of {target.url} passes {limits.max_bytes} bytes after "
                        f"{received} {encoding} bytes (decompression bomb?)",
                    )
        if exchange.connection.aborted:
            # The watchdog's shutdown reads as a normal end of a body without a length.
            raise deadline.exceeded()
        decoder.finish()
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
        raise _transport_error(target, exc, deadline) from exc
    return bytes(body)
