"""Ingest: decide what one fetched body means for a document (extract, normalise, compare) and
record it: the version, its archived snapshot and its change event, in one transaction. Also the
extraction rule a document is read with, which decides re-extractions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.http import parse_header_parameters

from apps.core.exceptions import ApplicationError
from apps.documents.archive import archive_problem, archive_write, raw_sha256
from apps.documents.diffing import change_summary_build
from apps.documents.extraction import ExtractionError, extract_text
from apps.documents.models import ArchivedSnapshot, Document, DocumentVersion, VersionKind
from apps.documents.normalization import normalize_text, normalized_fingerprint
from apps.documents.services.events import change_event_record
from apps.documents.shared_texts import normalized_text_share


class IngestReason(StrEnum):
    FIRST_RECORD = "first_record"
    CHANGE = "change"
    REEXTRACTION = "reextraction"
    UNCHANGED = "unchanged"  # same words as the latest version
    # Same words as a recent earlier version (within the flip-flop window): a flip back, not a
    # change. A return to an older text is recorded as a change that restores it.
    REVERTED = "reverted"
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


def _selector_lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def document_text_extract(
    *, document: Document, raw: bytes, content_type: str, base_url: str = ""
) -> str:
    """The document's text as Markdown, read with the document's selectors (HTML) and the
    header's character set. Raises ApplicationError (extra kind "extraction") when the extractor
    finds no usable text."""
    media_type, parameters = parse_header_parameters(content_type)
    try:
        return extract_text(
            raw,
            media_type,
            select=_selector_lines(document.select_selectors),
            remove=_selector_lines(document.remove_selectors),
            charset=parameters.get("charset"),
            base_url=base_url or None,
        )
    except ExtractionError as error:
        raise ApplicationError(
            f"No text could be extracted: {error.message}", extra={"kind": "extraction"}
        ) from error


def _word_count(normalized: str) -> int:
    return normalized.count(" ") + 1 if normalized else 0


def _require_words(normalized: str) -> None:
    """Fewer reader-visible words than EXTRACTION_MIN_WORDS is an error page, a consent wall or
    a broken selector, never a legal document."""
    word_count = _word_count(normalized)
    if word_count < settings.EXTRACTION_MIN_WORDS:
        raise ApplicationError(
            f"The extracted text has {word_count} words (at least "
            f"{settings.EXTRACTION_MIN_WORDS} expected): an error page or a selector that no "
            "longer matches the document.",
            extra={"kind": "extraction", "words": word_count},
        )


def _is_flip_flop(*, matched: DocumentVersion, latest: DocumentVersion, seen_at: datetime) -> bool:
    """Whether returning to an earlier version's words is a flip-flop (an A/B test or a rollout
    swinging back): the earlier text is at most DOCUMENTS_FLIPFLOP_MAX_VERSIONS versions behind
    the latest, and it was replaced at most DOCUMENTS_FLIPFLOP_MAX_DAYS days before this fetch.
    A return past that window is the document's current terms changing again."""
    if latest.number - matched.number > settings.DOCUMENTS_FLIPFLOP_MAX_VERSIONS:
        return False
    replaced_at = (
        DocumentVersion.objects.filter(document_id=matched.document_id, number=matched.number + 1)
        .values_list("captured_at", flat=True)
        .first()
    )
    return seen_at - replaced_at <= timedelta(days=settings.DOCUMENTS_FLIPFLOP_MAX_DAYS)


def _restored_version_summary(version: DocumentVersion) -> dict:
    return {"number": version.number, "captured_at": version.captured_at.isoformat()}


def snapshot_get_or_create(
    *, raw: bytes, content_type: str, final_url: str, headers: dict, fetched_at: datetime
) -> ArchivedSnapshot:
    """The archived snapshot of these bytes, storing them on first sight. Idempotent: the same
    bytes always give the same row and file, and an existing snapshot is never altered. A new
    file is read back from storage and re-hashed before its row is written, so its "hash
    verified" mark is true from the start; one that does not verify raises OSError."""
    sha256 = raw_sha256(raw)
    existing = ArchivedSnapshot.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    sha256, storage_name = archive_write(raw)
    problem = archive_problem(storage_name, sha256)
    if problem is not None:
        raise OSError(f"Archived snapshot {sha256} did not verify after writing: {problem}")
    snapshot = ArchivedSnapshot(
        sha256=sha256,
        storage_name=storage_name,
        size=len(raw),
        content_type=content_type[:100],
        final_url=final_url,
        headers={str(name): str(value) for name, value in headers.items()},
        fetched_at=fetched_at,
        last_verified_at=timezone.now(),
        last_verification_ok=True,
    )
    # Uniqueness is get_or_create's to settle, below.
    snapshot.full_clean(validate_unique=False, validate_constraints=False)
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
                    "last_verified_at",
                    "last_verification_ok",
                )
            },
        )
    return snapshot


def _document_mark_ingested(
    *, document: Document, raw_sha: str, verified_at: datetime, recorded: bool = False
) -> None:
    updates = {
        "last_verified_at": verified_at,
        "last_raw_sha256": raw_sha,
        "last_raw_rule_version": document.extraction_rule_version,
    }
    if recorded and document.first_tracked_at is None:
        updates["first_tracked_at"] = verified_at
    Document.objects.filter(pk=document.pk).update(**updates)
    for name, value in updates.items():
        setattr(document, name, value)


def snapshot_already_read(*, document: Document, raw_sha: str) -> bool:
    """The fast path of the daily check: identical bytes read with the same rule cannot yield
    a different text, so nothing needs extracting."""
    return (
        raw_sha == document.last_raw_sha256
        and document.last_raw_rule_version == document.extraction_rule_version
    )


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

    A new version is recorded when the normalised text differs from the latest version's, unless
    it returns to an earlier version's text within the flip-flop window (`_is_flip_flop`: a flip
    back is not a change). A return past the window is recorded with its change summary naming
    the version it restores ("restores_version": number and capture time). A version is a technical
    re-extraction when the document's extraction rule changed since the last body was read
    (a source change that lands in the very fetch that first applies a new rule is recorded as
    a re-extraction too: the two cannot be told apart from one fetch). The raw bytes are
    archived with the version. Otherwise only "last verified" moves. Raises ApplicationError
    (extra kind "extraction") when the body holds no usable text."""
    raw_sha = raw_sha256(raw)
    if snapshot_already_read(document=document, raw_sha=raw_sha):
        _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
        return IngestOutcome(reason=IngestReason.SAME_RAW, raw_sha256=raw_sha)

    text = document_text_extract(
        document=document, raw=raw, content_type=content_type, base_url=final_url
    )
    normalized = normalize_text(text)
    _require_words(normalized)
    fingerprint = normalized_fingerprint(normalized)

    with transaction.atomic():
        # Serialises concurrent ingests of one document (PostgreSQL row lock; SQLite serialises
        # writers anyway), so version numbers are handed out once each.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        matched = (
            DocumentVersion.objects.filter(document=document, text_sha256=fingerprint)
            .defer("text", "change_summary")  # only its number and date are read
            .order_by("-number")
            .first()
        )
        latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if matched is not None and (
            matched == latest or _is_flip_flop(matched=matched, latest=latest, seen_at=fetched_at)
        ):
            _document_mark_ingested(document=document, raw_sha=raw_sha, verified_at=fetched_at)
            reason = IngestReason.UNCHANGED if matched == latest else IngestReason.REVERTED
            return IngestOutcome(reason=reason, raw_sha256=raw_sha, matched_version=matched)

        # The rule the previous body was read with: a re-extraction that found the same words
        # already moved it on, so the next differing text is a change at the source again.
        previous_rule = document.last_raw_rule_version or (
            latest.extraction_rule_version if latest else None
        )
        if latest is None:
            kind = VersionKind.FIRST_RECORD
        elif previous_rule != document.extraction_rule_version:
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
            previous_chain_sha256=latest.chain_sha256 if latest else "",
            change_summary=(
                {
                    "from_number": latest.number,
                    **change_summary_build(latest.text, text),
                    **(
                        {"restores_version": _restored_version_summary(matched)}
                        if matched is not None
                        else {}
                    ),
                }
                if latest
                else {}
            ),
        )
        # The fields are checked, but not by queries: the document and the snapshot were just
        # read or written in this transaction, and the number is unique under the row lock.
        version.full_clean(
            exclude=["document", "snapshot"], validate_unique=False, validate_constraints=False
        )
        version.save()
        _document_mark_ingested(
            document=document, raw_sha=raw_sha, verified_at=fetched_at, recorded=True
        )
        if kind != VersionKind.REEXTRACTION:
            # The event's reactions read the text normalised (provision impact): shared rather
            # than normalised again.
            normalized_text_share(fingerprint=fingerprint, normalized=normalized)
            change_event_record(
                version=version, previous_version=latest, word_count=_word_count(normalized)
            )
    return IngestOutcome(
        reason=IngestReason(kind),
        raw_sha256=raw_sha,
        version=version,
        snapshot=snapshot,
        matched_version=matched,
    )


def document_extraction_rule_update(
    *, document: Document, select_selectors: str, remove_selectors: str
) -> Document:
    """Change a document's selectors. A real change raises its extraction rule version, so the
    next differing text is recorded as a technical re-extraction, not a change at the source."""
    if (select_selectors, remove_selectors) != (
        document.select_selectors,
        document.remove_selectors,
    ):
        document.select_selectors = select_selectors
        document.remove_selectors = remove_selectors
        document.extraction_rule_version += 1
        document.full_clean()
        document.save()
    return document
