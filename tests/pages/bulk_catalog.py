"""Builds a large, realistic catalog quickly with bulk_create, for the query-budget tests and for
benchmarks/pages.py. bulk_create skips save(), so record IDs are reserved here in one block from
the same counter the models use, which keeps them unique and never reused."""

import hashlib
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.models import RecordSequence
from apps.documents.models import (
    ArchivedSnapshot,
    Document,
    DocumentType,
    DocumentVersion,
    VersionKind,
)
from apps.platforms.models import Platform, Sector
from apps.provisions.models import (
    AnalysisArticle,
    Category,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionAgency,
    ProvisionStatus,
    Severity,
)
from apps.regulations.models import Agency, Regulation

# Legal terms among a thousand filler words, so that a searched term occurs in a few percent of
# clauses, as real words do, rather than in all of them.
_LEGAL_TERMS = (  # noqa: SIM905 -- a word list reads better as prose
    "arbitration licence content training data output model account termination liability "
    "warranty indemnify jurisdiction privacy consent retention deletion advertising biometric "
    "minors subscription refund waiver modification notice aggregated analytics feedback"
).split()
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "so")
_VOCABULARY = _LEGAL_TERMS + [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
_BATCH = 2000


def _reserve_record_ids(*, key: str, prefix: str, width: int, count: int) -> list[str]:
    with transaction.atomic():
        RecordSequence.objects.get_or_create(key=key)
        RecordSequence.objects.filter(key=key).update(last_value=F("last_value") + count)
        last = RecordSequence.objects.get(key=key).last_value
    return [f"{prefix}{value:0{width}d}" for value in range(last - count + 1, last + 1)]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_VOCABULARY) for _ in range(words)).capitalize() + "."


def build_catalog(
    *,
    platforms: int,
    provisions: int,
    documents_per_platform: int = 2,
    clause_types: int = 25,
    regulations: int = 8,
    agencies: int = 4,
    seed: int = 7,
    label: str = "bulk",
) -> None:
    """`platforms` platforms with `documents_per_platform` documents each (every document with
    three versions, the latest re-verified), and `provisions` provisions spread over them: nine
    in ten published, the rest drafts or in review, each with categories, two regulations, an
    agency note and an FAQ entry, plus a few research articles. `label` prefixes names and slugs,
    so a catalog can be built twice in one database."""
    rng = random.Random(seed)
    now = timezone.now()

    types = ClauseType.objects.bulk_create(
        ClauseType(name=f"{label} clause type {n}", slug=f"{label}-clause-type-{n}")
        for n in range(clause_types)
    )
    categories = Category.objects.bulk_create(
        Category(name=f"{label} category {n}", slug=f"{label}-category-{n}") for n in range(6)
    )
    regulation_rows = Regulation.objects.bulk_create(
        Regulation(
            name=f"{label} regulation {n}", slug=f"{label}-regulation-{n}", jurisdiction="EU"
        )
        for n in range(regulations)
    )
    agency_rows = Agency.objects.bulk_create(
        Agency(
            name=f"{label} agency {n}",
            slug=f"{label}-agency-{n}",
            jurisdiction="US",
            complaint_url=f"https://agency-{n}.example/complaints",
        )
        for n in range(agencies)
    )
    platform_rows = Platform.objects.bulk_create(
        (
            Platform(
                name=f"{label} platform {n:05d}",
                slug=f"{label}-platform-{n}",
                website=f"https://{label}-platform-{n}.example",
                sector=rng.choice(Sector.values),
                description=_sentence(rng, 12),
            )
            for n in range(platforms)
        ),
        batch_size=_BATCH,
    )

    document_count = platforms * documents_per_platform
    document_ids = _reserve_record_ids(
        key="document", prefix="CA-D-", width=5, count=document_count
    )
    doc_types = DocumentType.values
    document_rows = Document.objects.bulk_create(
        (
            Document(
                platform=platform,
                title=f"{platform.name} {doc_types[d % len(doc_types)].replace('_', ' ')}",
                slug=f"document-{d}",
                doc_type=doc_types[d % len(doc_types)],
                record_id=document_ids[p * documents_per_platform + d],
                source_url=f"{platform.website}/legal/{d}",
                first_tracked_at=now - timedelta(days=200),
                last_verified_at=now - timedelta(days=1),
            )
            for p, platform in enumerate(platform_rows)
            for d in range(documents_per_platform)
        ),
        batch_size=_BATCH,
    )

    snapshots = ArchivedSnapshot.objects.bulk_create(
        (
            ArchivedSnapshot(
                sha256=hashlib.sha256(f"snapshot-{document.record_id}".encode()).hexdigest(),
                storage_name=f"snapshots/{document.record_id}.gz",
                size=4096,
                content_type="text/html",
                fetched_at=now - timedelta(days=3),
                last_verified_at=now - timedelta(hours=5),
                last_verification_ok=True,
            )
            for document in document_rows
        ),
        batch_size=_BATCH,
    )
    version_ages = ((1, VersionKind.FIRST_RECORD, 200), (2, VersionKind.CHANGE, 60))
    versions = []
    for document, snapshot in zip(document_rows, snapshots, strict=True):
        for number, kind, age in version_ages:
            versions.append(_version(document, number, kind, now - timedelta(days=age)))
        latest = _version(document, 3, VersionKind.CHANGE, now - timedelta(days=rng.randint(1, 45)))
        latest.snapshot = snapshot
        latest.archive_url = f"https://web.archive.org/web/2026/{document.source_url}"
        versions.append(latest)
    version_rows = DocumentVersion.objects.bulk_create(versions, batch_size=_BATCH)
    latest_version = {v.document_id: v for v in version_rows if v.number == 3}

    provision_ids = _reserve_record_ids(key="provision", prefix="CA-P-", width=6, count=provisions)
    statuses = [ProvisionStatus.PUBLISHED] * 18 + [ProvisionStatus.DRAFT, ProvisionStatus.IN_REVIEW]
    provision_rows = Provision.objects.bulk_create(
        (
            _provision(
                rng,
                n=n,
                document=document_rows[n % len(document_rows)],
                cited_version=latest_version[document_rows[n % len(document_rows)].pk],
                record_id=provision_ids[n],
                clause_type=types[n % len(types)],
                status=statuses[n % len(statuses)],
                now=now,
            )
            for n in range(provisions)
        ),
        batch_size=_BATCH,
    )

    category_links = Provision.categories.through
    regulation_links = Provision.regulations.through
    category_links.objects.bulk_create(
        (
            category_links(provision_id=provision.pk, category_id=categories[n % 6].pk)
            for n, provision in enumerate(provision_rows)
        ),
        batch_size=_BATCH,
    )
    regulation_links.objects.bulk_create(
        (
            regulation_links(provision_id=provision.pk, regulation_id=regulation.pk)
            for n, provision in enumerate(provision_rows)
            for regulation in {
                regulation_rows[n % regulations],
                regulation_rows[(n + 3) % regulations],
            }
        ),
        batch_size=_BATCH,
    )
    ProvisionAgency.objects.bulk_create(
        (
            ProvisionAgency(
                provision_id=provision.pk,
                agency_id=agency_rows[n % agencies].pk,
                note="Competent for consumer-protection complaints about this clause.",
            )
            for n, provision in enumerate(provision_rows)
        ),
        batch_size=_BATCH,
    )
    FAQEntry.objects.bulk_create(
        (
            FAQEntry(
                provision_id=provision.pk,
                question=f"Can I opt out of {provision.title.lower()}?",
                answer=_sentence(rng, 20),
            )
            for provision in provision_rows
        ),
        batch_size=_BATCH,
    )

    articles = AnalysisArticle.objects.bulk_create(
        AnalysisArticle(
            title=f"How platforms word {label} clause type {n}",
            slug=f"{label}-article-{n}",
            summary=_sentence(rng, 25),
            is_published=True,
            published_at=now - timedelta(days=n),
        )
        for n in range(min(clause_types, 10))
    )
    AnalysisArticle.clause_types.through.objects.bulk_create(
        AnalysisArticle.clause_types.through(
            analysisarticle_id=article.pk, clausetype_id=types[n].pk
        )
        for n, article in enumerate(articles)
    )


def _version(document: Document, number: int, kind: str, captured_at) -> DocumentVersion:
    text = f"# {document.title}\n\nVersion {number} of the text."
    return DocumentVersion(
        document=document,
        number=number,
        kind=kind,
        captured_at=captured_at,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def _provision(
    rng, *, n, document, cited_version, record_id, clause_type, status, now
) -> Provision:
    published = status == ProvisionStatus.PUBLISHED
    return Provision(
        document=document,
        record_id=record_id,
        title=f"Provision {n}: {rng.choice(_LEGAL_TERMS)} {rng.choice(_VOCABULARY)}",
        slug=f"bulk-provision-{n}",
        status=status,
        published_at=now - timedelta(minutes=n) if published else None,
        severity=rng.choice(Severity.values),
        clause_type=clause_type,
        clause_text=_sentence(rng, 60),
        cited_version=cited_version,
        summary=_sentence(rng, 30),
        why_it_matters=_sentence(rng, 30),
        consumer_impact=_sentence(rng, 30),
        interpretive_note=_sentence(rng, 15),
        regulatory_framework=f"LOCKED-REGULATORY-FRAMEWORK {_sentence(rng, 40)}",
        governance_exposure=f"LOCKED-GOVERNANCE-EXPOSURE {_sentence(rng, 20)}",
        jurisdiction_flags=f"LOCKED-JURISDICTION-FLAGS {_sentence(rng, 20)}",
        contract_vendor_implications=f"LOCKED-CONTRACT-IMPLICATIONS {_sentence(rng, 20)}",
        compliance_considerations=f"LOCKED-COMPLIANCE-CONSIDERATIONS {_sentence(rng, 20)}",
        enforcement_risk=f"LOCKED-ENFORCEMENT-RISK {_sentence(rng, 20)}",
        action_items=f"LOCKED-ACTION-ITEMS {_sentence(rng, 20)}",
        analysis_generated_at=now - timedelta(days=2),
    )
