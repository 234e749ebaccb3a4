"""SSRF: the fetcher refuses every non-public address before any packet leaves, on the first
request and on every redirect hop, and connects to exactly the address it checked. The only
exemption (FETCHER_ALLOWED_HOSTS) names a host and port and covers a fetch's first request.

Name look-ups are answered by the ``fake_dns`` fixture and the autouse ``outbound_connections``
guard turns any connection to a non-loopback address into a test failure, recording it."""

import ipaddress

import pytest

from apps.documents.fetcher import FetchError, FetchErrorKind, address_refusal, fetch
from tests.documents.conftest import OutboundConnectionBlocked

REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "169.254.10.10",
    "100.64.1.1",  # CGNAT
    "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    "224.0.0.251",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # cloud metadata (IPv6)
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::5db8:d822",  # local-use NAT64
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "8.8.8.8",
    "2606:2800:220:1:248:1893:25c8:1946",
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "::ffff:93.184.216.34",
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_a_host_resolving_to_a_non_public_address_is_refused_before_connecting(
    fake_dns, outbound_connections, address
):
    fake_dns["docs.example.test"] = [address]

    with pytest.raises(FetchError) as error:
        fetch("https://docs.example.test/terms")

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "not a public address" in error.value.message
    assert outbound_connections == []


def test_every_resolved_address_must_be_public(fake_dns, outbound_connections):
    fake_dns["docs.example.test"] = ["93.184.216.34", "10.0.0.5"]

    with pytest.raises(FetchError) as error:
        fetch("http://docs.example.test/terms")

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "10.0.0.5" in error.value.message
    assert outbound_connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # hexadecimal, short form
        "http://017700000001/",  # octal
        "http://127.1/",
        "http://0/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a00:1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.64.0.1/",
        "http://localhost/",
        "http://10.0.0.1:8080/",
    ],
)
def test_literal_and_odd_numeric_addresses_are_refused(outbound_connections, url):
    with pytest.raises(FetchError) as error:
        fetch(url)

    assert error.value.kind == FetchErrorKind.REFUSED
    assert outbound_connections == []


@pytest.mark.parametrize(
    ("url", "port"),
    [("http://docs.example.test/terms", 80), ("https://docs.example.test/terms", 443)],
)
def test_a_public_host_is_connected_to_at_exactly_the_checked_address(
    fake_dns, outbound_connections, url, port
):
    fake_dns["docs.example.test"] = ["93.184.216.34"]

    with pytest.raises(OutboundConnectionBlocked):
        fetch(url)

    assert outbound_connections == [("93.184.216.34", port)]


def test_the_name_is_resolved_once_so_a_rebinding_answer_is_never_used(
    fake_dns, outbound_connections
):
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    fake_dns["rebind.example.test"] = lambda: next(answers)

    with pytest.raises(OutboundConnectionBlocked):
        fetch("http://rebind.example.test/terms")

    assert fake_dns.lookups == ["rebind.example.test"]
    assert outbound_connections == [("93.184.216.34", 80)]


def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    corpus_server, outbound_connections
):
    corpus_server.redirect("/terms", "http://10.0.0.1/admin")

    with pytest.raises(FetchError) as error:
        fetch(corpus_server.url("/terms"))

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "10.0.0.1" in error.value.message
    assert outbound_connections == []
    assert [request.path for request in corpus_server.requests] == ["/terms"]


def test_a_redirect_to_a_name_resolving_to_the_metadata_service_is_refused(
    corpus_server, fake_dns, outbound_connections
):
    fake_dns["metadata.example.test"] = ["169.254.169.254"]
    corpus_server.redirect("/terms", "http://metadata.example.test/latest/meta-data/")

    with pytest.raises(FetchError) as error:
        fetch(corpus_server.url("/terms"))

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "cloud metadata" in error.value.message
    assert outbound_connections == []


def test_the_allowed_hosts_setting_is_the_only_way_to_a_local_server(corpus_server, settings):
    url = corpus_server.url("/terms")
    corpus_server.route("/terms", body=b"<p>local</p>")

    settings.FETCHER_ALLOWED_HOSTS = []
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.kind == FetchErrorKind.REFUSED
    assert corpus_server.requests == []

    settings.FETCHER_ALLOWED_HOSTS = [f"127.0.0.1:{corpus_server.port}"]
    assert fetch(url).body == b"<p>local</p>"


@pytest.mark.parametrize(
    "exemption",
    [
        "127.0.0.1",  # no port: exempts nothing
        "127.0.0.1:1",  # another port of the same host
        "localhost:{port}",  # another name
    ],
)
def test_an_exemption_names_the_host_and_its_port(corpus_server, settings, exemption):
    url = corpus_server.route("/terms", body=b"<p>local</p>")
    settings.FETCHER_ALLOWED_HOSTS = [exemption.format(port=corpus_server.port)]

    with pytest.raises(FetchError) as error:
        fetch(url)

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "not a public address" in error.value.message
    assert corpus_server.requests == []


def test_an_exemption_covers_the_first_request_only_not_a_redirect_hop(
    corpus_server, outbound_connections
):
    # Even a hop back to the very server the exemption names is checked like any other.
    corpus_server.route("/inside", body=b"<p>internal</p>")
    corpus_server.redirect("/terms", "/inside")

    with pytest.raises(FetchError) as error:
        fetch(corpus_server.url("/terms"))

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "127.0.0.1" in error.value.message
    assert [request.path for request in corpus_server.requests] == ["/terms"]
    assert outbound_connections == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://docs.example.test/terms",
        "file:///etc/passwd",
        "gopher://docs.example.test/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "//docs.example.test/terms",
        "http://",
        "http:///terms",
        "http://[::1/",
        "http://docs.example.test:99999/",
        "http://docs.example.test:0/",
        f"http://{'a' * 64}.example.test/",  # a DNS label longer than 63 characters
        "http://user:secret@docs.example.test/",
        "http://docs.example.test/\r\nX-Injected: 1",
        "http://exa mple.test/",
    ],
)
def test_unfetchable_urls_are_refused(outbound_connections, url):
    with pytest.raises(FetchError) as error:
        fetch(url)

    assert error.value.kind == FetchErrorKind.REFUSED
    assert outbound_connections == []


def test_an_internationalised_host_name_is_looked_up_in_its_ascii_form(
    fake_dns, outbound_connections
):
    fake_dns["xn--bcher-kva.example"] = ["10.1.2.3"]

    with pytest.raises(FetchError) as error:
        fetch("https://bücher.example/agb")

    assert error.value.kind == FetchErrorKind.REFUSED
    assert fake_dns.lookups == ["xn--bcher-kva.example"]
    assert outbound_connections == []
