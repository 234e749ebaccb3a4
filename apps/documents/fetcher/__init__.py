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

from apps.documents.fetcher.addresses import address_refusal
from apps.documents.fetcher.client import (
    FetchResult,
    api_get,
    api_post_form,
    fetch,
    parse_retry_after,
)
from apps.documents.fetcher.errors import FetchError, FetchErrorKind
from apps.documents.fetcher.throttle import host_throttle

__all__ = [
    "FetchError",
    "FetchErrorKind",
    "FetchResult",
    "address_refusal",
    "api_get",
    "api_post_form",
    "fetch",
    "host_throttle",
    "parse_retry_after",
]
