"""The fetcher against the local server: real corpus files, redirects, limits, status codes,
deadlines, conditional requests, politeness. Address (SSRF) checks: test_fetcher_addresses.py."""

import gzip
import socket
import ssl
import threading
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import trustme

from apps.documents.fetcher import FetchError, FetchErrorKind, client, fetch, parse_retry_after
from tests.documents.http_server import LocalHTTPServer
from tests.documents.pipeline_helpers import corpus_bytes

CHATGPT_TERMS = "chatgpt__terms-of-service"
SNAPSHOT = "snapshot_001.html"


def fetch_error(url: str) -> FetchError:
    with pytest.raises(FetchError) as error:
        fetch(url)
    return error.value


def test_fetches_a_real_corpus_snapshot(corpus_server):
    url = corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)

    result = fetch(url)

    assert result.status == 200
    assert result.body == corpus_bytes(CHATGPT_TERMS, SNAPSHOT)
    assert result.content_type == "text/html"
    assert result.url == result.final_url == url
    assert result.not_modified is False
    assert result.headers["content-type"] == "text/html; charset=utf-8"


def test_identifies_itself_and_asks_only_for_document_types(corpus_server, settings):
    settings.SITE_URL = "https://conductatlas.example"
    fetch(corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT))

    (request,) = corpus_server.requests
    assert request.headers["user-agent"] == settings.FETCHER_USER_AGENT
    assert settings.FETCHER_USER_AGENT.startswith("ConductAtlasBot/1.0 (+")
    assert "/methodology/" in settings.FETCHER_USER_AGENT
    assert "text/html" in request.headers["accept"]
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in request.headers


def raw_deflate(data: bytes) -> bytes:
    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    # Some servers send raw deflate (no zlib header) under "deflate".
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", raw_deflate)],
)
def test_compressed_bodies_are_decoded(corpus_server, encoding, compress):
    original = corpus_bytes(CHATGPT_TERMS, SNAPSHOT)
    url = corpus_server.route(
        "/compressed", body=compress(original), headers={"Content-Encoding": encoding}
    )

    assert fetch(url).body == original


def test_an_unknown_content_encoding_is_refused(corpus_server):
    url = corpus_server.route("/br", body=b"\x1b\x00", headers={"Content-Encoding": "br"})

    assert fetch_error(url).kind == FetchErrorKind.REFUSED


def test_follows_redirects_to_the_final_url(corpus_server, loopback_redirect_hops):
    final = corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)
    corpus_server.redirect("/old", "/moved", status=301)
    corpus_server.redirect("/moved", final, status=308)

    result = fetch(corpus_server.url("/old"))

    assert result.final_url == final
    assert result.url == corpus_server.url("/old")
    assert result.body == corpus_bytes(CHATGPT_TERMS, SNAPSHOT)
    assert [r.path for r in corpus_server.requests][:2] == ["/old", "/moved"]


def _redirect_chain(server: LocalHTTPServer, hops: int) -> str:
    for hop in range(hops):
        server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    server.route(f"/hop{hops}", body=b"<p>arrived</p>")
    return server.url("/hop0")


def test_five_redirects_are_followed(corpus_server, loopback_redirect_hops):
    assert fetch(_redirect_chain(corpus_server, 5)).body == b"<p>arrived</p>"


def test_a_sixth_redirect_is_refused(corpus_server, loopback_redirect_hops):
    error = fetch_error(_redirect_chain(corpus_server, 6))

    assert error.kind == FetchErrorKind.REFUSED
    assert "more than 5 redirects" in error.message
    assert corpus_server.requests_to("/hop6") == []


def test_a_redirect_loop_is_refused(corpus_server, loopback_redirect_hops):
    corpus_server.redirect("/a", "/b")
    corpus_server.redirect("/b", corpus_server.url("/a"))

    error = fetch_error(corpus_server.url("/a"))

    assert error.kind == FetchErrorKind.REFUSED
    assert "loop" in error.message
    assert len(corpus_server.requests) == 2


@pytest.mark.parametrize(
    "location", ["", "ftp://127.0.0.1/terms", "file:///etc/passwd", "http://[::1"]
)
def test_a_redirect_to_nowhere_or_a_foreign_scheme_is_refused(corpus_server, location):
    corpus_server.route("/bad", status=302, headers={"Location": location} if location else {})

    assert fetch_error(corpus_server.url("/bad")).kind == FetchErrorKind.REFUSED


def test_a_body_past_the_size_cap_is_refused_while_streaming(corpus_server, settings):
    settings.FETCHER_MAX_BYTES = 1024 * 1024
    sent = []

    def fifty_megabytes():
        block = b"<p>" + b"x" * 65529 + b"</p>"
        for _ in range(800):
            sent.append(len(block))
            yield block

    url = corpus_server.route("/huge", body=fifty_megabytes)

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.REFUSED
    assert "larger than 1048576 bytes" in error.message
    # The fetcher hung up long before the 50 MB were sent.
    assert sum(sent) < 10 * 1024 * 1024


def test_a_declared_length_past_the_cap_is_refused_before_reading(corpus_server, settings):
    settings.FETCHER_MAX_BYTES = 1000
    url = corpus_server.route("/declared", body=b"x" * 2000)

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.REFUSED
    assert "larger than 1000 bytes" in error.message


def test_a_gzip_bomb_is_refused_without_inflating_it(corpus_server, settings):
    settings.FETCHER_MAX_BYTES = 1024 * 1024
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(squeezer.compress(zeros) for _ in range(50)) + squeezer.flush()
    assert len(bomb) < 100 * 1024  # 50 MB of zeros in about 50 KB
    url = corpus_server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})

    tracemalloc.start()
    try:
        error = fetch_error(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.kind == FetchErrorKind.REFUSED
    assert "decompression bomb" in error.message
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize("content_type", ["image/png", "application/json", None])
def test_non_document_content_types_are_refused(corpus_server, content_type):
    url = corpus_server.route("/thing", body=b"\x89PNG\r\n", content_type=content_type)

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.REFUSED
    assert "content type" in error.message


@pytest.mark.parametrize(
    ("content_type", "media_type"),
    [
        ("application/pdf", "application/pdf"),
        ("text/plain; charset=ISO-8859-1", "text/plain"),
        ("text/markdown", "text/markdown"),
        ("application/xhtml+xml", "application/xhtml+xml"),
        ("Text/HTML; charset=UTF-8", "text/html"),
    ],
)
def test_document_content_types_are_accepted(corpus_server, content_type, media_type):
    url = corpus_server.route("/doc", body=b"body", content_type=content_type)

    assert fetch(url).content_type == media_type


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, FetchErrorKind.GONE),
        (410, FetchErrorKind.GONE),
        (401, FetchErrorKind.BLOCKED),
        (403, FetchErrorKind.BLOCKED),
        (451, FetchErrorKind.BLOCKED),
        (999, FetchErrorKind.BLOCKED),
        (408, FetchErrorKind.TRANSIENT),
        (500, FetchErrorKind.TRANSIENT),
        (502, FetchErrorKind.TRANSIENT),
        (503, FetchErrorKind.TRANSIENT),
        (300, FetchErrorKind.REFUSED),
    ],
)
def test_error_statuses_are_classified(corpus_server, status, kind):
    url = corpus_server.route("/status", status=status, body=b"<p>error page</p>")

    error = fetch_error(url)

    assert (error.kind, error.status) == (kind, status)
    assert error.retry_after is None


def test_429_with_retry_after_is_transient_and_pauses_the_host(corpus_server, throttle_clock):
    url = corpus_server.route("/slow-down", status=429, headers={"Retry-After": "120"})

    error = fetch_error(url)

    assert (error.kind, error.status, error.retry_after) == (FetchErrorKind.TRANSIENT, 429, 120)
    # The host asked for two minutes: half a minute on, the next fetch does not even knock.
    throttle_clock.now += 30
    again = fetch_error(corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT))
    assert again.kind == FetchErrorKind.TRANSIENT
    assert again.retry_after == 90
    assert len(corpus_server.requests) == 1
    # Once the two minutes are over, it does.
    throttle_clock.now += 90
    assert fetch(corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)).status == 200


def test_503_with_a_retry_after_date(corpus_server, monkeypatch):
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(client, "wall_clock", lambda: now)
    when = format_datetime(now + timedelta(minutes=10), usegmt=True)
    url = corpus_server.route("/maintenance", status=503, headers={"Retry-After": when})

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert error.retry_after == 600


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # in the past: now
        ("999999999", 24 * 3600.0),  # capped
        ("soon", None),
        ("", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value, seconds):
    now = datetime(2015, 10, 21, 7, 27, tzinfo=UTC)

    assert parse_retry_after(value, now=now) == seconds


def test_a_server_slower_than_the_read_timeout_is_transient(corpus_server, settings):
    settings.FETCHER_READ_TIMEOUT = 0.2
    url = corpus_server.route("/sleepy", body=b"<p>late</p>", delay=1.5)

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "timed out" in error.message


def test_a_dripping_body_is_cut_at_the_total_deadline(corpus_server, settings):
    settings.FETCHER_TOTAL_TIMEOUT = 0.5
    settings.FETCHER_READ_TIMEOUT = 1.0

    def drip():
        for _ in range(40):
            time.sleep(0.1)
            yield b"x"

    url = corpus_server.route("/drip", body=drip)

    error = fetch_error(url)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "total deadline of 0.5 s exceeded" in error.message


def test_a_server_dripping_its_headers_is_cut_at_the_total_deadline(corpus_server, settings):
    settings.FETCHER_TOTAL_TIMEOUT = 0.5
    settings.FETCHER_READ_TIMEOUT = 1.0
    hung_up = threading.Event()

    def drip_headers(listener: socket.socket) -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            for _ in range(100):  # five seconds' worth, each line well within the read timeout
                time.sleep(0.05)
                try:
                    connection.sendall(b"X-Slow: x\r\n")
                except OSError:
                    hung_up.set()
                    return

    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = threading.Thread(target=drip_headers, args=(listener,), daemon=True)
        server.start()
        port = listener.getsockname()[1]
        settings.FETCHER_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
        error = fetch_error(f"http://127.0.0.1:{port}/terms")
        server.join(timeout=5)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "total deadline of 0.5 s exceeded" in error.message
    # The fetcher hung up while the server was still sending, rather than reading on until
    # the server stopped on its own.
    assert hung_up.is_set()


def test_an_unreachable_host_is_transient(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.FETCHER_ALLOWED_HOSTS = [f"127.0.0.1:{closed_port}"]

    error = fetch_error(f"http://127.0.0.1:{closed_port}/terms")

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "cannot connect" in error.message


def test_conditional_request_round_trip(corpus_server):
    url = corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)
    first = fetch(url)
    assert first.etag and first.last_modified

    second = fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert second.not_modified is True
    assert second.status == 304
    assert second.body == b""
    assert second.etag == first.etag
    request = corpus_server.requests[-1]
    assert request.headers["if-none-match"] == first.etag
    assert request.headers["if-modified-since"] == first.last_modified


def test_if_modified_since_alone_gives_304(corpus_server):
    url = corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)

    result = fetch(url, last_modified="Tue, 06 Jan 2026 00:00:00 GMT")

    assert result.not_modified is True


def test_a_changed_etag_gives_the_new_body(corpus_server):
    url = corpus_server.corpus_url(CHATGPT_TERMS, SNAPSHOT)

    result = fetch(url, etag='"an-older-version"')

    assert result.not_modified is False
    assert result.body == corpus_bytes(CHATGPT_TERMS, SNAPSHOT)


def test_requests_to_one_host_are_spaced_by_the_politeness_delay(
    corpus_server, settings, throttle_clock
):
    settings.FETCHER_PER_HOST_DELAY = 0.3

    fetch(corpus_server.corpus_url(CHATGPT_TERMS, "snapshot_001.html"))
    assert throttle_clock.sleeps == []
    throttle_clock.now += 0.1
    fetch(corpus_server.corpus_url(CHATGPT_TERMS, "snapshot_002.html"))

    # 0.1 s had passed since the first exchange ended: the rest of the delay was waited.
    assert throttle_clock.sleeps == [pytest.approx(0.2)]
    assert len(corpus_server.requests) == 2


def test_https_connects_to_the_pinned_address_with_the_host_name_for_sni(
    settings, fake_dns, tmp_path
):
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("docs.example.test").configure_cert(server_context)
    server_names = []
    server_context.sni_callback = lambda _sock, name, _context: server_names.append(name)
    server = LocalHTTPServer(tls_context=server_context)
    try:
        server.route("/terms", body=b"<p>over TLS</p>")
        fake_dns["docs.example.test"] = ["127.0.0.1"]
        settings.FETCHER_ALLOWED_HOSTS = [f"docs.example.test:{server.port}"]
        url = f"https://docs.example.test:{server.port}/terms"

        untrusted = fetch_error(url)
        settings.FETCHER_CA_BUNDLE = str(tmp_path / "ca.pem")
        authority.cert_pem.write_to_path(settings.FETCHER_CA_BUNDLE)
        result = fetch(url)
    finally:
        server.close()

    assert untrusted.kind == FetchErrorKind.REFUSED
    assert "certificate" in untrusted.message
    assert result.body == b"<p>over TLS</p>"
    assert server_names == ["docs.example.test", "docs.example.test"]
    assert server.requests[-1].headers["host"] == f"docs.example.test:{server.port}"
    assert fake_dns.lookups == ["docs.example.test", "docs.example.test"]
