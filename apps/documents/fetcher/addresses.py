"""Which addresses the fetcher may connect to, and connections pinned to the address that was
checked: the host name is resolved once per connection, every resolved address is checked, and
the socket is connected to a checked address itself, so a second DNS answer (DNS rebinding) can
never be used."""

import contextlib
import ipaddress
import socket

import urllib3.connection

from apps.documents.fetcher.errors import FetchError, FetchErrorKind

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


def resolve(host: str, port: int) -> list[tuple[int, tuple]]:
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


def open_pinned_socket(host: str, port: int, *, timeout: float, check: bool) -> socket.socket:
    """Resolve ``host`` once, check every address, and connect to a checked one."""
    addresses = resolve(host, port)
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


class PinnedConnectionMixin:
    """Replaces urllib3's own resolve-and-connect, which would do a second, unchecked lookup.
    Keeps the (TLS-wrapped) socket for ``abort``: http.client drops ``sock`` from a connection
    that will close while the response still reads from it."""

    check_addresses: bool = True
    connected_socket: socket.socket | None = None
    aborted: bool = False

    def _new_conn(self) -> socket.socket:
        return open_pinned_socket(
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


class PinnedHTTPConnection(PinnedConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class PinnedHTTPSConnection(PinnedConnectionMixin, urllib3.connection.HTTPSConnection):
    pass
