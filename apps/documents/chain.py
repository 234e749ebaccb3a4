"""The hash chain of a document's versions. Each version records the SHA-256 of its own record
(document, number, hashes of the captured file and of the text, capture time) and of the previous
version's record, so changing, removing or inserting any version after the fact breaks every link
after it. The record is canonical JSON, so anyone can recompute it from the public chain
endpoint (the README gives a script)."""

import hashlib
import json
from datetime import UTC, datetime


def chain_record(
    *,
    document: str,
    number: int,
    snapshot_sha256: str,
    text_sha256: str,
    captured_at: datetime,
    previous_chain_sha256: str,
) -> dict:
    """What one link hashes. `captured_at` is written in UTC to the microsecond."""
    return {
        "document": document,
        "number": number,
        "snapshot_sha256": snapshot_sha256,
        "text_sha256": text_sha256,
        "captured_at": captured_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "previous_chain_sha256": previous_chain_sha256,
    }


def chain_hash(record: dict) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_chain_record(version) -> dict:
    """The record of a stored version, as its chain hash covers it."""
    return chain_record(
        document=version.document.record_id,
        number=version.number,
        snapshot_sha256=version.snapshot.sha256 if version.snapshot_id else "",
        text_sha256=version.text_sha256,
        captured_at=version.captured_at,
        previous_chain_sha256=version.previous_chain_sha256,
    )
