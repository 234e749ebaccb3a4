"""Import ToS;DR's services and points as draft provisions.

Each point becomes one draft provision of its service's platform (matched by name, slug or
website domain, or created) under the document it names (matched by title, or created without a
source URL and unmonitored until a curator adds one): the point's quote is the clause text, its
case decides the clause type (apps/provisions/tosdr.py), its classification the severity, its
title the provision's title, and its analysis the curator's starting note. Nothing imported is
published: every provision starts as a draft and goes through the curator workflow.

The point id is stored on the provision (unique), so a second run skips what the first created
and changes nothing. Each point is written in its own savepoint: a point that fails leaves
nothing behind, and one bad line does not stop the rest. Points are committed in batches, so a
long run does not wait on one disk flush per point. Every line that is not imported is counted
under its reason, and lines that are broken are named by number."""

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from apps.core.exceptions import ApplicationError
from apps.documents.models import Document, DocumentType
from apps.platforms.models import Platform
from apps.provisions import tosdr
from apps.provisions.models import ClauseType, Provision, ProvisionStatus

SERVICES_FILE = "services.jsonl"
POINTS_FILE = "points.jsonl"
# Enough of the broken lines to find them; the counts cover all.
PROBLEMS_KEPT = 50
POINTS_PER_COMMIT = 250
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


class SkipReason:
    MALFORMED = "malformed line"
    INVALID = "invalid point (no id or service)"
    UNKNOWN_SERVICE = "service not in services.jsonl"
    NO_QUOTE = "no quote"
    UNKNOWN_CASE = "no clause type for this case"
    UNKNOWN_CLASSIFICATION = "unknown classification"
    ALREADY_IMPORTED = "already imported"
    REJECTED = "rejected by validation"


@dataclass
class TosdrImportReport:
    points_read: int = 0
    provisions_created: int = 0
    platforms_created: int = 0
    platforms_matched: set[int] = field(default_factory=set)
    documents_created: int = 0
    clause_types_created: int = 0
    skipped: Counter = field(default_factory=Counter)
    unknown_cases: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, reason: str, message: str) -> None:
        self.skipped[reason] += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(message)


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, record or None, what is wrong with the line) for each non-blank line."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, None, f"not UTF-8 (byte {error.start + 1})"
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, None, f"not valid JSON ({error.msg} at column {error.colno})"
                continue
            if not isinstance(record, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, record, ""


def _input_file(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise ApplicationError(
            f"{path} not found: the ToS;DR directory must hold {SERVICES_FILE} and {POINTS_FILE}.",
            extra={"path": str(path)},
        )
    return path


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _key(text: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", text.lower())


def _platform_keys(platform: Platform) -> list[str]:
    """What a ToS;DR service key ("amazonprimevideo", "420a3-com") may match of a platform:
    its name, its slug, its website's host with and without the top-level domain."""
    keys = [_key(platform.name), _key(platform.slug)]
    host = (urlsplit(platform.website).hostname or "").removeprefix("www.")
    if host:
        keys += [_key(host), _key(host.rsplit(".", 1)[0])]
    return [key for key in keys if key]


def _document_type(title: str) -> str:
    lowered = title.lower()
    for word, doc_type in tosdr.DOCUMENT_TYPE_BY_WORD:
        if word in lowered:
            return doc_type
    return DocumentType.OTHER


def _curator_note(point: dict) -> str:
    source = (
        f"Imported from ToS;DR point {point['point_id']} ({point.get('classification')}, "
        f"score {point.get('score')}); {tosdr.TOSDR_ATTRIBUTION}, {tosdr.TOSDR_LICENCE}."
    )
    if point.get("discussion"):
        source += f"\nDiscussion: {point['discussion']}"
    analysis = _text(point.get("analysis"))
    return f"{source}\n\nToS;DR analysis:\n{analysis}" if analysis else source


def _text(value) -> str:
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


class _Importer:
    """Caches of what exists (platforms by key, documents, clause types, imported point ids),
    filled once and extended only after each point's transaction has committed."""

    def __init__(self, report: TosdrImportReport, services: set[str]):
        self.report = report
        self.services = services
        self.platforms: dict[str, Platform] = {}
        for platform in Platform.objects.order_by("pk"):
            for key in _platform_keys(platform):
                self.platforms.setdefault(key, platform)
        self.documents = {(d.platform_id, d.slug): d for d in Document.objects.all()}
        self.clause_types = {c.slug: c for c in ClauseType.objects.all()}
        self.created_platform_ids: set[int] = set()
        self.imported = set(
            Provision.objects.exclude(tosdr_point_id=None).values_list("tosdr_point_id", flat=True)
        )

    def point(self, number: int, point: dict) -> None:
        report = self.report
        where = f"{POINTS_FILE} line {number}"
        point_id = str(point.get("point_id") or "").strip()
        services = point.get("services")
        if not point_id or not isinstance(services, list) or len(services) != 1:
            report.problem(
                SkipReason.INVALID, f"{where}: a point needs a point_id and exactly one service."
            )
            return
        if point_id in self.imported:
            report.skipped[SkipReason.ALREADY_IMPORTED] += 1
            return
        service = str(services[0])
        if service not in self.services:
            report.problem(
                SkipReason.UNKNOWN_SERVICE,
                f"{where}: point {point_id} names service {service!r}, not in {SERVICES_FILE}.",
            )
            return
        quote = _text(point.get("quote"))
        if not quote:
            report.skipped[SkipReason.NO_QUOTE] += 1
            return
        case = _text(point.get("case"))
        clause_type_slug = tosdr.CLAUSE_TYPE_BY_CASE.get(case)
        if clause_type_slug is None:
            report.skipped[SkipReason.UNKNOWN_CASE] += 1
            report.unknown_cases[case] += 1
            return
        severity = tosdr.SEVERITY_BY_CLASSIFICATION.get(point.get("classification"))
        if severity is None:
            report.problem(
                SkipReason.UNKNOWN_CLASSIFICATION,
                f"{where}: point {point_id} has classification {point.get('classification')!r}"
                f" (expected one of {', '.join(tosdr.SEVERITY_BY_CLASSIFICATION)}).",
            )
            return
        created: dict = {}
        try:
            with transaction.atomic():
                platform = self._platform(service, created)
                document = self._document(platform, _text(point.get("document")), created)
                clause_type = self._clause_type(clause_type_slug, created)
                self._provision(point_id, point, document, clause_type, severity, quote)
        except IntegrityError:
            # Another import created this point between our read and our write.
            report.skipped[SkipReason.ALREADY_IMPORTED] += 1
            return
        except ValidationError as error:
            report.problem(SkipReason.REJECTED, f"{where}: point {point_id}: {error.messages}")
            return
        # Written: only now may the caches and counts hold what this point created.
        self.imported.add(point_id)
        report.provisions_created += 1
        if "platform" in created:
            self.platforms[_key(service)] = platform
            self.created_platform_ids.add(platform.pk)
            report.platforms_created += 1
        elif platform.pk not in self.created_platform_ids:
            report.platforms_matched.add(platform.pk)
        if "document" in created:
            self.documents[(platform.pk, document.slug)] = document
            report.documents_created += 1
        if "clause_type" in created:
            self.clause_types[clause_type.slug] = clause_type
            report.clause_types_created += 1

    def _platform(self, service: str, created: dict) -> Platform:
        platform = self.platforms.get(_key(service))
        if platform is None:
            # Unlisted until a provision of it is published: nothing imported goes public
            # unreviewed, and an empty platform page would be the first to.
            platform = Platform(
                name=service, slug=slugify(service)[:200] or _key(service), is_listed=False
            )
            platform.full_clean()
            platform._change_reason = "Imported from ToS;DR"
            platform.save()
            created["platform"] = platform
        return platform

    def _document(self, platform: Platform, title: str, created: dict) -> Document:
        title = title[:255] or tosdr.UNNAMED_DOCUMENT_TITLE
        slug = slugify(title)[:200] or "document"
        document = self.documents.get((platform.pk, slug))
        if document is None:
            document = Document(
                platform=platform,
                title=title,
                slug=slug,
                doc_type=_document_type(title),
                source_url="",
                is_monitored=False,
            )
            document.full_clean()
            document._change_reason = "Imported from ToS;DR"
            document.save()
            created["document"] = document
        return document

    def _clause_type(self, slug: str, created: dict) -> ClauseType:
        clause_type = self.clause_types.get(slug)
        if clause_type is None:
            clause_type = ClauseType(slug=slug, **tosdr.CLAUSE_TYPES[slug])
            clause_type.full_clean()
            clause_type.save()
            created["clause_type"] = clause_type
        return clause_type

    def _provision(self, point_id, point, document, clause_type, severity, quote) -> None:
        title = _text(point.get("title")) or _text(point.get("case"))
        provision = Provision(
            document=document,
            title=title[:255],
            slug=f"{slugify(title)[:180]}-{point_id}".strip("-"),
            status=ProvisionStatus.DRAFT,
            severity=severity,
            clause_type=clause_type,
            clause_text=quote,
            curator_note=_curator_note(point),
            tosdr_point_id=point_id,
        )
        provision.full_clean(validate_unique=False)
        provision._change_reason = "Imported from ToS;DR"
        provision.save()


def tosdr_import(
    *,
    directory: Path,
    progress: Callable[[Iterable, int], Iterable] | None = None,
) -> TosdrImportReport:
    """Import `directory`/services.jsonl and points.jsonl. `progress` wraps the points as they
    are read (given the number of lines), for a progress bar on the long run. Raises
    ApplicationError only when a file is missing; everything else is counted in the report."""
    services_path = _input_file(directory, SERVICES_FILE)
    points_path = _input_file(directory, POINTS_FILE)
    report = TosdrImportReport()
    services = set()
    for number, record, problem in _jsonl_records(services_path):
        service = record.get("service") if record else None
        if isinstance(service, str) and service.strip():
            services.add(service)
        else:
            report.problems.append(
                f"{SERVICES_FILE} line {number}: {problem or 'no service name'}; skipped."
            )
    importer = _Importer(report, services)
    records: Iterable = _jsonl_records(points_path)
    if progress is not None:
        with points_path.open("rb") as lines:
            total = sum(1 for line in lines if line.strip())
        records = progress(records, total)
    for chunk in _chunks(records, POINTS_PER_COMMIT):
        with transaction.atomic():
            for number, point, problem in chunk:
                report.points_read += 1
                if point is None:
                    report.problem(SkipReason.MALFORMED, f"{POINTS_FILE} line {number}: {problem}.")
                else:
                    importer.point(number, point)
    return report
