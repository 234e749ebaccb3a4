"""The fetcher's one error type, with a kind the caller uses to decide whether to retry."""

from enum import StrEnum


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
