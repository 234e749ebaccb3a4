"""Save Page Now 2 client: asks the Wayback Machine to capture a page (POST /save) and reads
the capture's status (GET /save/status/<job id>), authenticated with an archive.org S3 key pair.

Both requests go through the fetcher, the one module that opens outbound HTTP, so the
operator-configured WAYBACK_ENDPOINT gets the same address checks, deadlines, size cap and
user agent as a document; the fetcher's API calls follow no redirect, so the credentials only
ever reach that endpoint. The page's URL travels in the form body: it is never requested here.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from django.conf import settings

from apps.documents import fetcher


class WaybackError(Exception):
    """A capture request failed. `retryable` is False when asking again cannot help (the
    endpoint's address is refused, or it answers 4xx), so the task gives up at once."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class CaptureState(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(frozen=True)
class CaptureStatus:
    state: CaptureState
    archive_url: str = ""
    message: str = ""


def _endpoint() -> str:
    return settings.WAYBACK_ENDPOINT.rstrip("/")


def _request(path: str, form: dict[str, str] | None = None) -> dict:
    """GET ``path`` of the endpoint, or POST ``form`` to it; the JSON object it answers."""
    url = _endpoint() + path
    headers = {"Authorization": f"LOW {settings.WAYBACK_ACCESS_KEY}:{settings.WAYBACK_SECRET_KEY}"}
    try:
        if form is None:
            result = fetcher.api_get(url, headers=headers)
        else:
            result = fetcher.api_post_form(url, data=form, headers=headers)
    except fetcher.FetchError as error:
        raise WaybackError(
            f"Save Page Now request failed: {error.message}",
            retryable=error.kind == fetcher.FetchErrorKind.TRANSIENT,
        ) from error
    try:
        payload = json.loads(result.body)
    except ValueError as error:
        raise WaybackError("Save Page Now answered something other than JSON") from error
    if not isinstance(payload, dict):
        raise WaybackError("Save Page Now answered an unexpected JSON value")
    return payload


def capture_request(page_url: str) -> str:
    """Submit a capture of `page_url`; returns the job id."""
    payload = _request("/save", {"url": page_url})
    job_id = payload.get("job_id")
    if not job_id:
        raise WaybackError(f"Save Page Now gave no job id: {payload.get('message', payload)}")
    return str(job_id)


def capture_status(job_id: str) -> CaptureStatus:
    payload = _request(f"/save/status/{quote(job_id, safe='')}")
    state = payload.get("status")
    if state == "success" and payload.get("timestamp") and payload.get("original_url"):
        archive_url = f"{_endpoint()}/web/{payload['timestamp']}/{payload['original_url']}"
        return CaptureStatus(CaptureState.SUCCESS, archive_url=archive_url)
    if state == "error":
        return CaptureStatus(CaptureState.ERROR, message=str(payload.get("message", "")))
    return CaptureStatus(CaptureState.PENDING)
