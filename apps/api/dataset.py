"""The open-data export: what a visitor may read of the catalog, as JSON Lines and CSV, with a
README (contents, licences, attributions) and SHA-256 checksums, in one dated and versioned zip
archive kept in the default storage. Written as a stream, so the catalog's size does not decide
the memory it needs."""

import csv
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from apps.billing.entitlements import VISITOR
from apps.documents.models import Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions import tosdr
from apps.provisions.models import Provision
from apps.provisions.selectors import visible_memo_fields
from apps.regulations.models import Regulation

# Raised whenever a file or column changes meaning, so consumers can tell the formats apart.
DATASET_FORMAT_VERSION = 1
DATASET_DIRECTORY = "datasets"
_ARCHIVE_NAME = re.compile(r"conductatlas-dataset-v\d+-\d{8}T\d{6}Z\.zip")


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterable[dict]]


def _platform_rows() -> Iterator[dict]:
    for platform in Platform.objects.listed().order_by("slug").iterator():
        yield {
            "slug": platform.slug,
            "name": platform.name,
            "website": platform.website,
            "sector": platform.sector,
            "description": platform.description,
        }


def _document_rows() -> Iterator[dict]:
    documents = (
        Document.objects.select_related("platform")
        .filter(platform__is_listed=True)
        .order_by("record_id")
    )
    for document in documents.iterator():
        yield {
            "record_id": document.record_id,
            "platform": document.platform.slug,
            "title": document.title,
            "doc_type": document.doc_type,
            "source_url": document.source_url,
            "first_tracked_at": document.first_tracked_at,
            "stated_last_updated": document.stated_last_updated,
        }


def _version_rows() -> Iterator[dict]:
    versions = (
        DocumentVersion.objects.select_related("document", "snapshot")
        .defer("text", "change_summary", "snapshot__headers")
        .order_by("document__record_id", "number")
    )
    for version in versions.iterator():
        snapshot = version.snapshot
        yield {
            "document": version.document.record_id,
            "number": version.number,
            "kind": version.kind,
            "captured_at": version.captured_at,
            "text_sha256": version.text_sha256,
            "snapshot_sha256": snapshot.sha256 if snapshot else "",
            "snapshot_size": snapshot.size if snapshot else "",
            "content_type": snapshot.content_type if snapshot else "",
            "archive_url": version.archive_url,
        }


PROVISION_PUBLIC_FIELDS = (
    "summary",
    "why_it_matters",
    "consumer_impact",
    "interpretive_note",
    "clause_text",
)


def _provision_rows() -> Iterator[dict]:
    """Published provisions with what a visitor may read: the memo parts the visitor's
    entitlements release (none today) and nothing locked."""
    memo_fields = visible_memo_fields(VISITOR)
    provisions = (
        Provision.objects.published()
        .select_related("document__platform", "clause_type", "cited_version")
        .defer("cited_version__text", "cited_version__change_summary")
        .prefetch_related("regulations")
        .order_by("record_id")
    )
    for provision in provisions.iterator(chunk_size=500):
        yield {
            "record_id": provision.record_id,
            "platform": provision.document.platform.slug,
            "document": provision.document.record_id,
            "title": provision.title,
            "clause_type": provision.clause_type.slug,
            "severity": provision.severity,
            **{field: getattr(provision, field) for field in PROVISION_PUBLIC_FIELDS},
            **{field: getattr(provision, field) for field in memo_fields},
            "cited_version": provision.cited_version.number if provision.cited_version else "",
            "regulations": " ".join(sorted(r.slug for r in provision.regulations.all())),
            "published_at": provision.published_at,
            "source": f"tosdr:{provision.tosdr_point_id}" if provision.tosdr_point_id else "",
        }


def _regulation_rows() -> Iterator[dict]:
    for regulation in Regulation.objects.order_by("slug").iterator():
        yield {
            "slug": regulation.slug,
            "name": regulation.name,
            "short_name": regulation.short_name,
            "jurisdiction": regulation.jurisdiction,
            "description": regulation.description,
            "reference_url": regulation.reference_url,
        }


TABLES = (
    Table(
        "platforms",
        "Platforms whose documents are archived.",
        ("slug", "name", "website", "sector", "description"),
        _platform_rows,
    ),
    Table(
        "documents",
        "Archived documents (terms, policies), by stable record ID.",
        (
            "record_id",
            "platform",
            "title",
            "doc_type",
            "source_url",
            "first_tracked_at",
            "stated_last_updated",
        ),
        _document_rows,
    ),
    Table(
        "versions",
        "Every archived version's metadata and hashes (the texts stay on the version pages).",
        (
            "document",
            "number",
            "kind",
            "captured_at",
            "text_sha256",
            "snapshot_sha256",
            "snapshot_size",
            "content_type",
            "archive_url",
        ),
        _version_rows,
    ),
    Table(
        "provisions",
        "Published provisions with their public analysis (the compliance memo is not included).",
        (
            "record_id",
            "platform",
            "document",
            "title",
            "clause_type",
            "severity",
            *PROVISION_PUBLIC_FIELDS,
            *visible_memo_fields(VISITOR),
            "cited_version",
            "regulations",
            "published_at",
            "source",
        ),
        _provision_rows,
    ),
    Table(
        "regulations",
        "Regulations provisions are mapped to.",
        ("slug", "name", "short_name", "jurisdiction", "description", "reference_url"),
        _regulation_rows,
    ),
)


def _text(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


class _HashingWriter(io.RawIOBase):
    """Passes bytes to a zip member and hashes them on the way."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        return self.target.write(data)


def _write_member(archive: zipfile.ZipFile, path: str, fill: Callable) -> str:
    with archive.open(path, "w") as member:
        hashing = _HashingWriter(member)
        text = io.TextIOWrapper(hashing, encoding="utf-8", newline="")
        fill(text)
        text.flush()
        text.detach()
    return hashing.sha256.hexdigest()


def _write_table(archive: zipfile.ZipFile, folder: str, table: Table) -> dict[str, str]:
    def jsonl(out):
        for row in table.rows():
            out.write(json.dumps({k: _text(v) for k, v in row.items()}, ensure_ascii=False))
            out.write("\n")

    def as_csv(out):
        writer = csv.DictWriter(out, fieldnames=table.columns)
        writer.writeheader()
        for row in table.rows():
            writer.writerow({k: _text(v) for k, v in row.items()})

    return {
        f"{table.name}.jsonl": _write_member(archive, f"{folder}/{table.name}.jsonl", jsonl),
        f"{table.name}.csv": _write_member(archive, f"{folder}/{table.name}.csv", as_csv),
    }


@dataclass(frozen=True)
class DatasetArchive:
    name: str
    storage_name: str
    sha256: str
    size: int
    created_at: datetime


def dataset_export(*, now: datetime | None = None) -> DatasetArchive:
    """Writes a new archive to the default storage and returns what describes it."""
    now = now or timezone.now()
    folder = f"conductatlas-dataset-v{DATASET_FORMAT_VERSION}-{now:%Y%m%dT%H%M%SZ}"
    with tempfile.TemporaryFile() as scratch:
        with zipfile.ZipFile(scratch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            checksums = {}
            for table in TABLES:
                checksums.update(_write_table(archive, folder, table))
            readme = render_to_string(
                "api/dataset_readme.md",
                {
                    "name": folder,
                    "format_version": DATASET_FORMAT_VERSION,
                    "created_at": now,
                    "tables": TABLES,
                    "site_url": settings.SITE_URL,
                    "license": settings.DATASET_LICENSE,
                    "tosdr": {
                        "attribution": tosdr.TOSDR_ATTRIBUTION,
                        "licence": tosdr.TOSDR_LICENCE,
                        "licence_url": tosdr.TOSDR_LICENCE_URL,
                        "url": tosdr.TOSDR_URL,
                    },
                },
            )
            checksums["README.md"] = _write_member(
                archive, f"{folder}/README.md", lambda out: out.write(readme)
            )
            sums = "".join(f"{digest}  {path}\n" for path, digest in sorted(checksums.items()))
            _write_member(archive, f"{folder}/SHA256SUMS", lambda out: out.write(sums))
        scratch.seek(0)
        digest = hashlib.file_digest(scratch, "sha256").hexdigest()
        size = scratch.tell()
        scratch.seek(0)
        storage_name = default_storage.save(f"{DATASET_DIRECTORY}/{folder}.zip", File(scratch))
    default_storage.save(f"{storage_name}.sha256", io.BytesIO(f"{digest}  {folder}.zip\n".encode()))
    return DatasetArchive(
        name=f"{folder}.zip", storage_name=storage_name, sha256=digest, size=size, created_at=now
    )


def dataset_latest() -> DatasetArchive | None:
    """The newest archive in the storage (names sort by their UTC time), or None."""
    try:
        _folders, files = default_storage.listdir(DATASET_DIRECTORY)
    except FileNotFoundError:
        return None
    archives = sorted(name for name in files if _ARCHIVE_NAME.fullmatch(name))
    if not archives:
        return None
    return dataset_get(name=archives[-1])


def dataset_get(*, name: str) -> DatasetArchive | None:
    """The archive called `name`, if that is an archive's name and it exists."""
    if not _ARCHIVE_NAME.fullmatch(name):
        return None
    storage_name = f"{DATASET_DIRECTORY}/{name}"
    if not default_storage.exists(storage_name):
        return None
    with default_storage.open(f"{storage_name}.sha256") as sidecar:
        digest = sidecar.read().decode().split()[0]
    created = datetime.strptime(name.rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ.zip")
    return DatasetArchive(
        name=name,
        storage_name=storage_name,
        sha256=digest,
        size=default_storage.size(storage_name),
        created_at=created.replace(tzinfo=UTC),
    )
