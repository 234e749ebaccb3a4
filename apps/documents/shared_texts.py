"""A recorded version's normalised text, handed from the ingest to the reactions to its change
event (provision impact) through the cache, so the text is normalised once per version.

The entry is keyed by the version's fingerprint, the SHA-256 of that very text, and checked
against it when read: a missing, evicted or altered entry only means normalising again."""

import hashlib

from django.core.cache import cache

# The reactions run within seconds of the ingest's commit (minutes when the queue is long); an
# entry past that only holds memory.
_SHARED_SECONDS = 15 * 60
_KEY_PREFIX = "normalized-text:"


def normalized_text_share(*, fingerprint: str, normalized: str) -> None:
    cache.set(_KEY_PREFIX + fingerprint, normalized, timeout=_SHARED_SECONDS)


def normalized_text_shared(*, fingerprint: str) -> str | None:
    """The normalised text shared under this fingerprint, if it is still there and intact."""
    normalized = cache.get(_KEY_PREFIX + fingerprint)
    if normalized is None or hashlib.sha256(normalized.encode()).hexdigest() != fingerprint:
        return None
    return normalized
