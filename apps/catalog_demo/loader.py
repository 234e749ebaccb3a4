"""Loads the demo catalog from the data shipped in `apps/catalog_demo/data/`.

Idempotent: every row is found by its natural key (slugs; a version by its document and text
hash; an FAQ entry by its provision and position) and written only when a value differs, so a
second run changes nothing, adds no history records and keeps every record ID. Document
versions go through the real archive pipeline (`snapshot_ingest`), fed from the corpus copies
inside this package, never from anywhere else. Nothing here touches the network."""

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.test import override_settings
from django.utils.text import slugify

from apps.catalog_demo.data import platforms, reference
from apps.core.exceptions import ApplicationError
from apps.documents.models import Document, DocumentVersion
from apps.documents.normalization import text_fingerprint
from apps.documents.services import snapshot_ingest
from apps.platforms.models import Platform
from apps.provisions.models import (
    MEMO_FIELDS,
    AnalysisArticle,
    Category,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionAgency,
    ProvisionStatus,
    Severity,
)
from apps.provisions.services import platform_grades_recompute
from apps.regulations.models import Agency, Regulation

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"
MARKDOWN = "text/markdown; charset=utf-8"
PROSE_FIELDS = ("summary", "why_it_matters", "consumer_impact", "interpretive_note", *MEMO_FIELDS)


@dataclass
class DemoLoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def record(self, model: type[models.Model], *, created: bool, changed: bool) -> None:
        if created:
            self.created[model._meta.verbose_name_plural] += 1
        elif changed:
            self.updated[model._meta.verbose_name_plural] += 1

    def __str__(self) -> str:
        def listing(counter: Counter) -> str:
            return ", ".join(f"{count} {name}" for name, count in sorted(counter.items()))

        return (
            f"created: {listing(self.created) or 'nothing'}; "
            f"updated: {listing(self.updated) or 'nothing'}"
        )


def _converge(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: DemoLoadReport,
) -> models.Model:
    """The row matching `lookup`, created or brought to `values`; saved only when something
    differs, so an unchanged row keeps its `updated_at` and gets no history record."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created or any(getattr(obj, name) != value for name, value in values.items())
    if changed:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
    report.record(model, created=created, changed=changed)
    return obj


def _converge_m2m(manager, objects) -> None:
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in objects}:
        manager.set(objects)


def _pick(mapping: dict, key, what: str):
    try:
        return mapping[key]
    except KeyError:
        raise ApplicationError(f"The demo data names an unknown {what}: {key!r}.") from None


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def provision_rows() -> list[dict]:
    """Every demo provision, from one JSON file per document under `data/provisions/`."""
    rows = []
    for path in sorted((DATA_DIR / "provisions").glob("*.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        rows += [
            {"platform": content["platform"], "document": content["document"], **row}
            for row in content["provisions"]
        ]
    return rows


def corpus_read(directory: str, file: str) -> bytes:
    """One copied corpus version (`v005` of `zoom__terms-of-service`), from this package."""
    return gzip.decompress((CORPUS_DIR / directory / f"{file}.md.gz").read_bytes())


def _reference_load(report: DemoLoadReport) -> dict[str, dict[str, models.Model]]:
    loaded = {}
    for key, model, rows in (
        ("clause_types", ClauseType, reference.CLAUSE_TYPES),
        ("categories", Category, reference.CATEGORIES),
        ("regulations", Regulation, reference.REGULATIONS),
        ("agencies", Agency, reference.AGENCIES),
    ):
        loaded[key] = {
            row["slug"]: _converge(
                model,
                lookup={"slug": row["slug"]},
                values={name: value for name, value in row.items() if name != "slug"},
                report=report,
            )
            for row in rows
        }
    return loaded


def _versions_ingest(
    *, document: Document, corpus: str, versions: list[tuple[str, str]], report: DemoLoadReport
) -> dict[str, DocumentVersion]:
    """Feeds the copied versions to the archive pipeline, oldest first, and returns the stored
    version of each file. A file whose text is already stored is not fed again."""
    stored = {}
    for file, captured in versions:
        raw = corpus_read(corpus, file)
        version = DocumentVersion.objects.filter(
            document=document, text_sha256=text_fingerprint(raw.decode("utf-8"))
        ).first()
        if version is None:
            # These are historical copies: a Wayback capture of today's page would misdate them,
            # and the demo must never reach the network, whatever WAYBACK_ENABLED says.
            with override_settings(WAYBACK_ENABLED=False):
                outcome = snapshot_ingest(
                    document=document,
                    raw=raw,
                    content_type=MARKDOWN,
                    final_url=document.source_url,
                    headers={},
                    fetched_at=_at(captured),
                )
            version = outcome.version or outcome.matched_version
            report.record(DocumentVersion, created=outcome.changed, changed=False)
        if version is None:
            raise ApplicationError(f"{corpus}/{file} did not yield a stored version.")
        stored[file] = version
    return stored


def _platforms_load(report: DemoLoadReport):
    documents: dict[tuple[str, str], Document] = {}
    versions: dict[tuple[str, str], dict[str, DocumentVersion]] = {}
    for row in platforms.PLATFORMS:
        platform = _converge(
            Platform,
            lookup={"slug": row["slug"]},
            values={name: row[name] for name in ("name", "website", "sector", "description")},
            report=report,
        )
        for doc in row["documents"]:
            captured = [at for _, at in doc.get("versions", [])]
            document = _converge(
                Document,
                lookup={"platform": platform, "slug": doc["slug"]},
                values={
                    "title": doc["title"],
                    "doc_type": doc["doc_type"],
                    "source_url": doc["source_url"],
                    # The demo must never fetch: its documents are archived, not monitored.
                    "is_monitored": False,
                    "stated_last_updated": (
                        date.fromisoformat(doc["stated_last_updated"])
                        if doc["stated_last_updated"]
                        else None
                    ),
                    "first_tracked_at": _at(doc.get("first_tracked_at") or captured[0]),
                    "last_verified_at": _at(doc.get("last_verified_at") or captured[-1]),
                },
                report=report,
            )
            documents[(platform.slug, document.slug)] = document
            versions[(platform.slug, document.slug)] = (
                _versions_ingest(
                    document=document,
                    corpus=doc["corpus"],
                    versions=doc["versions"],
                    report=report,
                )
                if doc.get("corpus")
                else {}
            )
    return documents, versions


def _provision_load(*, row: dict, documents, versions, refs, report) -> Provision:
    key = (row["platform"], row["document"])
    document = _pick(documents, key, "document")
    cited = _pick(versions[key], row["cite"], "corpus version") if row.get("cite") else None
    analysed_at = _at(row["analysed_at"]) if row.get("analysed_at") else document.last_verified_at
    values = {
        "title": row["title"],
        # Demo rows are published as data: they have been reviewed here, in the repository.
        "status": ProvisionStatus.PUBLISHED,
        "published_at": analysed_at,
        "severity": Severity[row["severity"].upper()],
        "clause_type": _pick(refs["clause_types"], row["clause_type"], "clause type"),
        "clause_text": row["clause"],
        "cited_version": cited,
        "analysis_generated_at": analysed_at,
        **{name: row.get(name, "") for name in PROSE_FIELDS},
    }
    provision = _converge(
        Provision,
        lookup={"document": document, "slug": row.get("slug") or slugify(row["title"])},
        values=values,
        report=report,
    )
    _converge_m2m(
        provision.categories,
        [_pick(refs["categories"], slug, "category") for slug in row["categories"]],
    )
    _converge_m2m(
        provision.regulations,
        [_pick(refs["regulations"], slug, "regulation") for slug in row["regulations"]],
    )
    for slug, note in row["agencies"].items():
        _converge(
            ProvisionAgency,
            lookup={"provision": provision, "agency": _pick(refs["agencies"], slug, "agency")},
            values={"note": note},
            report=report,
        )
    ProvisionAgency.objects.filter(provision=provision).exclude(
        agency__slug__in=row["agencies"]
    ).delete()
    faq = [*row["faq"], _independence_faq(document.platform.name)]
    for position, (question, answer) in enumerate(faq):
        _converge(
            FAQEntry,
            lookup={"provision": provision, "position": position},
            values={"question": question, "answer": answer},
            report=report,
        )
    FAQEntry.objects.filter(provision=provision, position__gte=len(faq)).delete()
    return provision


def _independence_faq(platform_name: str) -> tuple[str, str]:
    return (
        f"Is ConductAtlas affiliated with {platform_name}?",
        f"No. ConductAtlas is an independent service with no tie to {platform_name}. We describe "
        "what the archived document says; we do not decide whether a clause is enforceable.",
    )


def _articles_load(*, provisions, refs, report) -> None:
    for row in json.loads((DATA_DIR / "articles.json").read_text(encoding="utf-8")):
        article = _converge(
            AnalysisArticle,
            lookup={"slug": row["slug"]},
            values={
                "title": row["title"],
                "summary": row["summary"],
                "body": row["body"],
                "is_published": True,
                "published_at": _at(row["published_at"]),
            },
            report=report,
        )
        _converge_m2m(
            article.clause_types,
            [_pick(refs["clause_types"], slug, "clause type") for slug in row["clause_types"]],
        )
        _converge_m2m(
            article.provisions,
            [_pick(provisions, tuple(key), "provision") for key in row["provisions"]],
        )


def demo_catalog_load() -> DemoLoadReport:
    """Creates or updates the whole demo catalog in one transaction."""
    report = DemoLoadReport()
    with transaction.atomic():
        refs = _reference_load(report)
        documents, versions = _platforms_load(report)
        provisions = {}
        for row in provision_rows():
            provision = _provision_load(
                row=row, documents=documents, versions=versions, refs=refs, report=report
            )
            provisions[(row["platform"], row["document"], provision.slug)] = provision
        _articles_load(provisions=provisions, refs=refs, report=report)
        platform_grades_recompute()
    return report
