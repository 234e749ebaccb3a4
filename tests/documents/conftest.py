import ipaddress
import socket

import pytest

from apps.documents import fetcher
from apps.documents.fetcher import addresses, throttle
from tests.documents.http_server import LocalHTTPServer


class OutboundConnectionBlocked(AssertionError):
    """A test tried to open a connection to a non-loopback address."""


@pytest.fixture(autouse=True)
def outbound_connections(monkeypatch):
    """Every documents test runs with connections to anything but loopback turned into a
    failure, recorded in the list this fixture yields (the address that would have been
    contacted). SSRF tests assert the list stays empty, or holds exactly the pinned address."""
    attempts: list[tuple] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address) -> None:
        if not isinstance(address, tuple):
            return  # a Unix socket path
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            attempts.append(address[:2])
            raise OutboundConnectionBlocked(f"test tried to connect to {address!r}")

    def guarded_connect(sock, address):
        check(address)
        return real_connect(sock, address)

    def guarded_connect_ex(sock, address):
        check(address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    return attempts


@pytest.fixture(autouse=True)
def _fetcher_state(settings):
    """No politeness pause between the tests' requests unless a test asks for one, and no
    host remembered from an earlier test."""
    settings.FETCHER_PER_HOST_DELAY = 0
    settings.FETCHER_THROTTLE_REDIS_URL = ""
    fetcher.host_throttle().clear()
    yield
    fetcher.host_throttle().clear()


class FakeClock:
    """Seconds that move only when a test (or a requested sleep) moves them; `sleeps` are the
    pauses that were asked for."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def throttle_clock(monkeypatch):
    """The process-local throttle, on a clock the test controls."""
    clock = FakeClock()
    monkeypatch.setattr(
        throttle, "_local_throttle", throttle.LocalHostThrottle(clock=clock, sleep=clock.sleep)
    )
    return clock


@pytest.fixture
def loopback_redirect_hops(monkeypatch):
    """Redirect hops may reach the local server too: FETCHER_ALLOWED_HOSTS exempts only a
    fetch's first request, so tests of redirect handling itself accept loopback addresses."""
    real_refusal = addresses.address_refusal

    def refusal(address):
        return None if address.is_loopback else real_refusal(address)

    monkeypatch.setattr(addresses, "address_refusal", refusal)


@pytest.fixture(scope="session")
def _local_http_server():
    server = LocalHTTPServer()
    yield server
    server.close()


@pytest.fixture
def corpus_server(_local_http_server, settings):
    """The local server (``.base_url``, ``.corpus_url(document, file)``, ``.route(...)``,
    ``.redirect(...)``, ``.requests``), with the fetcher allowed to reach it."""
    settings.FETCHER_ALLOWED_HOSTS = [f"127.0.0.1:{_local_http_server.port}"]
    _local_http_server.reset()
    yield _local_http_server
    _local_http_server.reset()


class FakeDNS:
    """Name look-ups answered from ``fake_dns[host] = [addresses]`` (or a callable returning
    them, to answer differently each time); other names go to the real resolver, which never
    leaves the machine for the numeric forms the tests use."""

    def __init__(self, real_getaddrinfo):
        self.answers: dict = {}
        self.lookups: list[str] = []
        self._real_getaddrinfo = real_getaddrinfo

    def __setitem__(self, host: str, addresses) -> None:
        self.answers[host] = addresses

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        if host not in self.answers:
            return self._real_getaddrinfo(host, port, family, type, proto, flags)
        self.lookups.append(host)
        addresses = self.answers[host]
        infos = []
        for address in addresses() if callable(addresses) else addresses:
            if ipaddress.ip_address(address).version == 6:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return infos


@pytest.fixture
def fake_dns(monkeypatch):
    dns = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns
