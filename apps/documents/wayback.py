"""Save Page Now 2 client: asks the Wayback Machine to capture a page (POST /save) and reads
the capture's status (GET /save/status/<job id>), authenticated with an archive.org S3 key pair.

Why this is not in fetcher.py, the module that otherwise owns outbound HTTP: the fetcher only
GETs documents at curator-supplied URLs and guards every hop against SSRF. Here the only host
ever contacted is the operator-configured WAYBACK_ENDPOINT (the page's URL travels in the form
body, it is never requested), the requests are POSTs with credentials, and no redirect is
followed, so there is no untrusted address to guard and nothing of the fetcher's guard to reuse.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

import urllib3
from django.conf import settings


class WaybackError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CaptureState(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(frozen=True)
class CaptureStatus:
    state: CaptureState
    archive_url: str = ""
    message: str = ""


_http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10.0, read=30.0), retries=False)


def _endpoint() -> str:
    return settings.WAYBACK_ENDPOINT.rstrip("/")


def _request(method: str, path: str, fields: dict | None = None) -> dict:
    headers = {
        "Accept": "application/json",
        "Authorization": f"LOW {settings.WAYBACK_ACCESS_KEY}:{settings.WAYBACK_SECRET_KEY}",
        "User-Agent": settings.FETCHER_USER_AGENT,
    }
    try:
        if method == "POST":
            response = _http.request_encode_body(
                "POST",
                _endpoint() + path,
                fields=fields,
                headers=headers,
                encode_multipart=False,
                redirect=False,
            )
        else:
            response = _http.request("GET", _endpoint() + path, headers=headers, redirect=False)
    except urllib3.exceptions.HTTPError as error:
        raise WaybackError(f"Save Page Now unreachable: {error}") from error
    if response.status != 200:
        raise WaybackError(f"Save Page Now answered {response.status}")
    try:
        payload = json.loads(response.data)
    except ValueError as error:
        raise WaybackError("Save Page Now answered something other than JSON") from error
    if not isinstance(payload, dict):
        raise WaybackError("Save Page Now answered an unexpected JSON value")
    return payload


def capture_request(page_url: str) -> str:
    """Submit a capture of `page_url`; returns the job id."""
    payload = _request("POST", "/save", {"url": page_url})
    job_id = payload.get("job_id")
    if not job_id:
        raise WaybackError(f"Save Page Now gave no job id: {payload.get('message', payload)}")
    return str(job_id)


def capture_status(job_id: str) -> CaptureStatus:
    payload = _request("GET", f"/save/status/{quote(job_id, safe='')}")
    state = payload.get("status")
    if state == "success" and payload.get("timestamp") and payload.get("original_url"):
        archive_url = f"{_endpoint()}/web/{payload['timestamp']}/{payload['original_url']}"
        return CaptureStatus(CaptureState.SUCCESS, archive_url=archive_url)
    if state == "error":
        return CaptureStatus(CaptureState.ERROR, message=str(payload.get("message", "")))
    return CaptureStatus(CaptureState.PENDING)
