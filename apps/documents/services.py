"""Writes of the documents app: turning fetched bytes into archived snapshots and versions."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction

from apps.core.exceptions import ApplicationError
from apps.documents.archive import archive_write, raw_sha256
from apps.documents.models import ArchivedSnapshot, Document, DocumentVersion, VersionKind
from apps.documents.normalization import normalize_text, text_fingerprint

# Fewer reader-visible words than this is an error page, a consent wall or a broken selector,
# never a legal document (the shortest real document in the corpus has about 800).
MIN_DOCUMENT_WORDS = 50

_TEXT_MEDIA_TYPES = {"text/markdown", "text/plain"}


class IngestReason(StrEnum):
    FIRST_RECORD = "first_record"
    CHANGE = "change"
    REEXTRACTION = "reextraction"
    UNCHANGED = "unchanged"  # same words as the latest version
    REVERTED = "reverted"  # same words as an earlier version: a flip back, not a change
    SAME_RAW = "same_raw"  # byte-identical to the last ingest: nothing was extracted


@dataclass(frozen=True)
class IngestOutcome:
    reason: IngestReason
    raw_sha256: str
    version: DocumentVersion | None = None
    snapshot: ArchivedSnapshot | None = None
    matched_version: DocumentVersion | None = None

    @property
    def changed(self) -> bool:
        return self.version is not None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _selector_lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _markup_extract(*, document: Document, raw: bytes, media_type: str, charset: str | None) -> str:
    from apps.documents.extraction import ExtractionError, extract_text

    try:
        return extract_text(
            raw,
            media_type,
            select=_selector_lines(document.select_selectors),
            remove=_selector_lines(document.remove_selectors),
            charset=charset,
        )
    except ExtractionError as error:
        raise ApplicationError(
            f"No text could be extracted: {error.message}", extra={"kind": "extraction"}
        ) from error


def document_text_extract(*, document: Document, raw: bytes, content_type: str) -> str:
    """The document's text as Markdown. Markdown and plain text are the text already; HTML and
    PDF go through the extractor with the document's selectors. Raises ApplicationError (extra
    kind "extraction") when there is no usable text."""
    media_type = _media_type(content_type)
    charset = _charset(content_type)
    if media_type in _TEXT_MEDIA_TYPES:
        try:
            text = raw.decode(charset or "utf-8", errors="replace")
        except LookupError as error:
            raise ApplicationError(
                f"Unknown character set {charset!r}.", extra={"kind": "extraction"}
            ) from error
    else:
        text = _markup_extract(document=document, raw=raw, media_type=media_type, charset=charset)
    word_count = len(normalize_text(text).split())
    if word_count < MIN_DOCUMENT_WORDS:
        raise ApplicationError(
            f"The extracted text has {word_count} words (at least {MIN_DOCUMENT_WORDS} expected): "
            "an error page or a selector that no longer matches the document.",
            extra={"kind": "extraction", "words": word_count},
        )
    return text


def snapshot_get_or_create(
    *, raw: bytes, content_type: str, final_url: str, headers: dict, fetched_at: datetime
) -> ArchivedSnapshot:
    """The archived snapshot of these bytes, storing them on first sight. Idempotent: the same
    bytes always give the same row and file, and an existing snapshot is never altered."""
    sha256 = raw_sha256(raw)
    existing = ArchivedSnapshot.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    sha256, storage_name = archive_write(raw)
    snapshot = ArchivedSnapshot(
        sha256=sha256,
        storage_name=storage_name,
        size=len(raw),
        content_type=content_type[:100],
        final_url=final_url,
        headers={str(name): str(value) for name, value in headers.items()},
        fetched_at=fetched_at,
    )
    snapshot.full_clean(validate_unique=False)
    with transaction.atomic():
        snapshot, _ = ArchivedSnapshot.objects.get_or_create(
            sha256=sha256,
            defaults={
                field: getattr(snapshot, field)
                for field in (
                    "storage_name",
                    "size",
                    "content_type",
                    "final_url",
                    "headers",
                    "fetched_at",
                )
            },
        )
    return snapshot


def _document_mark_ingested(*, document: Document, raw_sha: str, verified_at: datetime) -> None:
    updates = {
        "last_verified_at": verified_at,
        "last_raw_sha256": raw_sha,
        "last_raw_rule_version": document.extraction_rule_version,
    }
    Document.objects.filter(pk=document.pk).update(**updates)
    for field, value in updates.items():
        setattr(document, field, value)


def snapshot_ingest(
    *,
    document: Document,
    raw: bytes,
    content_type: str,
    final_url: str,
    headers: dict,
    fetched_at: datetime,
) -> IngestOutcome:
    """Decide what one fetched body means for a document and record it.

    A new version is recorded only when the normalised text differs from every earlier version
    of the document (a flip back to an earlier text is not a change); it is a technical
    re-extraction when the document's extraction rule changed since the latest version. The raw
    bytes are archived with the version. Otherwise only "last verified" moves. Raises
    ApplicationError (extra kind "extraction") when the body holds no usable text."""
    raw_sha = raw_sha256(raw)
    if (
        raw_sha == document.last_raw_sha256
        and document.last_raw_rule_version == document.extraction_rule_version
    ):
        # The fast path of the daily check: identical bytes read with the same rule cannot
        # yield a different text, so nothing is extracted.
        _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
        return IngestOutcome(reason=IngestReason.SAME_RAW, raw_sha256=raw_sha)

    text = document_text_extract(document=document, raw=raw, content_type=content_type)
    fingerprint = text_fingerprint(text)

    with transaction.atomic():
        # Serialises concurrent ingests of one document (PostgreSQL row lock; SQLite serialises
        # writers anyway), so version numbers are handed out once each.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        matched = (
            DocumentVersion.objects.filter(document=document, text_sha256=fingerprint)
            .order_by("-number")
            .first()
        )
        latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if matched is not None:
            _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
            reason = IngestReason.UNCHANGED if matched == latest else IngestReason.REVERTED
            return IngestOutcome(reason=reason, raw_sha256=raw_sha, matched_version=matched)

        if latest is None:
            kind = VersionKind.FIRST_RECORD
        elif latest.extraction_rule_version != document.extraction_rule_version:
            kind = VersionKind.REEXTRACTION
        else:
            kind = VersionKind.CHANGE
        snapshot = snapshot_get_or_create(
            raw=raw,
            content_type=content_type,
            final_url=final_url,
            headers=headers,
            fetched_at=fetched_at,
        )
        version = DocumentVersion(
            document=document,
            number=(latest.number + 1) if latest else 1,
            kind=kind,
            captured_at=fetched_at,
            text=text,
            text_sha256=fingerprint,
            snapshot=snapshot,
            extraction_rule_version=document.extraction_rule_version,
        )
        version.full_clean(validate_unique=False)
        version.save()
        _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
        if document.first_tracked_at is None:
            Document.objects.filter(pk=document.pk).update(first_tracked_at=fetched_at)
            document.first_tracked_at = fetched_at
    return IngestOutcome(
        reason=IngestReason(kind), raw_sha256=raw_sha, version=version, snapshot=snapshot
    )
