"""Request rates by plan (requests per minute and per day, plan data read through the
entitlements) for keys, and per IP address for anonymous callers. Counters live in the cache
(Redis in production, so every web process shares them), one fixed window each."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from apps.accounts.models import ApiKey

MINUTE = 60
DAY = 24 * 60 * 60


def _count_in_window(identity: str, window: int, now: float) -> tuple[int, float]:
    """Counts this request in the current window; returns the count and seconds to its end."""
    bucket = int(now // window)
    key = f"api-rate:{identity}:{window}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add and incr.
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count, (bucket + 1) * window - now


class PlanRateThrottle(BaseThrottle):
    def __init__(self):
        self.retry_after: float | None = None

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiKey):
            entitlements = view.entitlements
            identity = f"org:{request.auth.organization_id}"
            limits = (
                (MINUTE, entitlements.api_requests_per_minute),
                (DAY, entitlements.api_requests_per_day),
            )
        else:
            identity = f"ip:{self.get_ident(request)}"
            limits = (
                (MINUTE, settings.API_ANONYMOUS_REQUESTS_PER_MINUTE),
                (DAY, settings.API_ANONYMOUS_REQUESTS_PER_DAY),
            )
        now = time.time()
        for window, limit in limits:
            count, remaining = _count_in_window(identity, window, now)
            if count > limit:
                self.retry_after = max(1.0, remaining)
                return False
        return True

    def wait(self):
        return self.retry_after
