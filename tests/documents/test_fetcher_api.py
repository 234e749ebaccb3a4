"""The fetcher's JSON API calls (``api_get``, ``api_post_form``, used for Save Page Now) take the
documents' path: the same address checks and pinning, allowed hosts, deadlines, size cap and
error kinds, plus their own rules: JSON only, the caller's headers cannot replace the fetcher's,
and no redirect is followed."""

import json
import time
from urllib.parse import parse_qs

import pytest

from apps.documents.fetcher import FetchError, FetchErrorKind, api_get, api_post_form
from tests.documents.conftest import OutboundConnectionBlocked

CREDENTIALS = {"Authorization": "LOW access:secret"}
PAGE_URL = "https://example.com/terms?lang=en&v=2"
JSON = "application/json"

CALLS = [
    pytest.param(lambda url: api_get(url, headers=CREDENTIALS), id="get"),
    pytest.param(
        lambda url: api_post_form(url, data={"url": PAGE_URL}, headers=CREDENTIALS), id="post"
    ),
]


def post(url: str) -> FetchError:
    with pytest.raises(FetchError) as error:
        api_post_form(url, data={"url": PAGE_URL}, headers=CREDENTIALS)
    return error.value


def test_a_form_is_posted_with_the_fetchers_headers_and_its_json_answer_returned(
    corpus_server, settings
):
    answer = json.dumps({"job_id": "spn2-1"}).encode()
    url = corpus_server.route("/save", body=answer, content_type=JSON)

    result = api_post_form(url, data={"url": PAGE_URL}, headers=CREDENTIALS)

    assert (result.status, result.content_type, result.body) == (200, JSON, answer)
    (request,) = corpus_server.requests
    assert request.method == "POST"
    assert parse_qs(request.body.decode("ascii")) == {"url": [PAGE_URL]}
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["content-length"] == str(len(request.body))
    assert request.headers["user-agent"] == settings.FETCHER_USER_AGENT
    assert request.headers["accept"] == JSON
    assert request.headers["authorization"] == "LOW access:secret"


def test_a_get_sends_the_callers_headers_and_no_body(corpus_server):
    url = corpus_server.route("/status/1", body=b'{"status": "pending"}', content_type=JSON)

    assert json.loads(api_get(url, headers=CREDENTIALS).body) == {"status": "pending"}
    (request,) = corpus_server.requests
    assert (request.method, request.body) == ("GET", b"")
    assert request.headers["authorization"] == "LOW access:secret"


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.5", "::ffff:127.0.0.1"])
def test_a_host_resolving_to_a_non_public_address_is_refused_before_connecting(
    fake_dns, outbound_connections, call, address
):
    fake_dns["archive.example.test"] = [address]

    with pytest.raises(FetchError) as error:
        call("https://archive.example.test/save")

    assert error.value.kind == FetchErrorKind.REFUSED
    assert "not a public address" in error.value.message
    assert outbound_connections == []


@pytest.mark.parametrize("call", CALLS)
def test_a_public_host_is_connected_to_at_exactly_the_checked_address(
    fake_dns, outbound_connections, call
):
    answers = iter([["93.184.216.34"], ["169.254.169.254"]])
    fake_dns["archive.example.test"] = lambda: next(answers)

    with pytest.raises(OutboundConnectionBlocked):
        call("https://archive.example.test/save")

    assert fake_dns.lookups == ["archive.example.test"]
    assert outbound_connections == [("93.184.216.34", 443)]


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/save", "http://[fd00:ec2::254]/save", "ftp://archive.test/"]
)
def test_literal_metadata_addresses_and_foreign_schemes_are_refused(outbound_connections, url):
    assert post(url).kind == FetchErrorKind.REFUSED
    assert outbound_connections == []


def test_a_local_endpoint_needs_the_allowed_hosts_setting(corpus_server, settings):
    url = corpus_server.route("/save", body=b"{}", content_type=JSON)
    settings.FETCHER_ALLOWED_HOSTS = []

    assert post(url).kind == FetchErrorKind.REFUSED
    assert corpus_server.requests == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_not_followed(corpus_server, status):
    corpus_server.route("/elsewhere", body=b"{}", content_type=JSON)
    corpus_server.redirect("/save", corpus_server.url("/elsewhere"), status=status)

    error = post(corpus_server.url("/save"))

    assert (error.kind, error.status) == (FetchErrorKind.REFUSED, status)
    assert "follows no redirect" in error.message
    assert [request.path for request in corpus_server.requests] == ["/save"]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, FetchErrorKind.GONE),
        (401, FetchErrorKind.BLOCKED),
        (403, FetchErrorKind.BLOCKED),
        (500, FetchErrorKind.TRANSIENT),
        (503, FetchErrorKind.TRANSIENT),
    ],
)
def test_error_statuses_are_classified(corpus_server, status, kind):
    url = corpus_server.route("/save", status=status, body=b'{"message": "no"}', content_type=JSON)

    error = post(url)

    assert (error.kind, error.status) == (kind, status)
    assert f"answered {status}" in error.message


def test_429_with_retry_after_pauses_the_host_for_every_kind_of_request(corpus_server):
    url = corpus_server.route("/save", status=429, headers={"Retry-After": "90"})

    error = post(url)

    assert (error.kind, error.retry_after) == (FetchErrorKind.TRANSIENT, 90)
    with pytest.raises(FetchError) as again:
        api_get(corpus_server.url("/status/1"), headers=CREDENTIALS)
    assert again.value.kind == FetchErrorKind.TRANSIENT
    assert len(corpus_server.requests) == 1


def test_an_answer_that_is_not_json_is_refused(corpus_server):
    url = corpus_server.route("/save", body=b"<p>log in</p>", content_type="text/html")

    error = post(url)

    assert error.kind == FetchErrorKind.REFUSED
    assert "content type text/html" in error.message
    assert "is not JSON" in error.message


def test_an_answer_past_the_size_cap_is_refused(corpus_server, settings):
    settings.FETCHER_MAX_BYTES = 1000

    def endless_json():
        yield b'{"pad": "'
        for _ in range(100):
            yield b"x" * 1000

    url = corpus_server.route("/save", body=endless_json, content_type=JSON)

    error = post(url)

    assert error.kind == FetchErrorKind.REFUSED
    assert "larger than 1000 bytes" in error.message


def test_a_slow_answer_is_cut_at_the_read_timeout(corpus_server, settings):
    settings.FETCHER_READ_TIMEOUT = 0.2
    url = corpus_server.route("/save", body=b"{}", content_type=JSON, delay=1.0)

    error = post(url)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "timed out" in error.message


def test_a_dripping_answer_is_cut_at_the_total_deadline(corpus_server, settings):
    settings.FETCHER_TOTAL_TIMEOUT = 0.5
    settings.FETCHER_READ_TIMEOUT = 1.0

    def drip():
        for _ in range(40):
            time.sleep(0.1)
            yield b" "

    url = corpus_server.route("/save", body=drip, content_type=JSON)

    error = post(url)

    assert error.kind == FetchErrorKind.TRANSIENT
    assert "total deadline of 0.5 s exceeded" in error.message


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "curl/8"},
        {"content-type": "text/plain"},
        {"Host": "internal.example.test"},
        {"Authorization": "LOW a:b\r\nX-Injected: 1"},
    ],
)
def test_the_caller_cannot_replace_the_fetchers_headers_or_inject_one(
    outbound_connections, corpus_server, headers
):
    url = corpus_server.route("/save", body=b"{}", content_type=JSON)

    with pytest.raises(FetchError) as error:
        api_post_form(url, data={"url": PAGE_URL}, headers=headers)

    assert error.value.kind == FetchErrorKind.REFUSED
    assert corpus_server.requests == []
