"""A small catalog in which every section of every public page has something to show, plus the
drafts, unpublished articles and other platforms that the pages must leave out or count."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from apps.documents.models import ArchivedSnapshot, ChangeEvent, VersionKind
from apps.platforms.models import Platform, Sector
from apps.provisions.models import (
    AnalysisArticle,
    Provision,
    ProvisionAgency,
    ProvisionStatus,
    Severity,
)
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    ClauseTypeFactory,
    DocumentFactory,
    DocumentVersionFactory,
    FAQEntryFactory,
    PlatformFactory,
    ProvisionFactory,
    RegulationFactory,
)

LUMA_CLAUSE = (
    "Customer will not (and will not permit its Users or anyone else to) do any of the "
    "following: ... (g) use the Services or Output, directly or indirectly, to create, test, "
    "train, or otherwise develop any artificial intelligence or machine learning models, "
    "systems, architecture, weights, or related technology."
)


@dataclass
class SampleCatalog:
    platform: Platform
    provision: Provision
    snapshot: ArchivedSnapshot
    peer: Provision
    sibling: Provision
    draft_sibling: Provision
    draft_peer: Provision
    other_type: Provision
    article_by_provision: AnalysisArticle
    article_by_clause_type: AnalysisArticle
    unpublished_article: AnalysisArticle


def build_sample_catalog() -> SampleCatalog:
    now = timezone.now()
    platform = PlatformFactory(
        name="Luma AI",
        slug="luma-ai",
        sector=Sector.AI,
        description="Generative video and 3D models from text and images.",
    )
    document = DocumentFactory(
        platform=platform,
        title="Luma AI Terms of Service",
        slug="terms-of-service",
        source_url="https://lumalabs.example/legal/tos",
        first_tracked_at=now - timedelta(days=90),
        last_verified_at=now - timedelta(days=1),
        stated_last_updated=date(2026, 5, 5),
    )
    snapshot = ArchivedSnapshot.objects.create(
        sha256=hashlib.sha256(b"luma tos bytes").hexdigest(),
        storage_name="snapshots/luma-tos.gz",
        size=1234,
        content_type="text/html",
        fetched_at=now - timedelta(days=2),
        last_verified_at=now - timedelta(hours=3),
        last_verification_ok=True,
    )
    first_version = DocumentVersionFactory(
        document=document,
        number=1,
        kind=VersionKind.FIRST_RECORD,
        captured_at=now - timedelta(days=90),
    )
    older_change = DocumentVersionFactory(
        document=document, number=2, kind=VersionKind.CHANGE, captured_at=now - timedelta(days=45)
    )
    cited_version = DocumentVersionFactory(
        document=document,
        number=3,
        kind=VersionKind.CHANGE,
        captured_at=now - timedelta(days=2),
        text=f"# Terms of Service\n\n{LUMA_CLAUSE}",
        snapshot=snapshot,
        archive_url="https://web.archive.org/web/2026/https://lumalabs.example/legal/tos",
    )
    DocumentVersionFactory(
        document=document,
        number=4,
        kind=VersionKind.REEXTRACTION,
        captured_at=now - timedelta(days=1),
    )
    # The change events the ingest writes beside each change (a re-extraction has none).
    for previous, version in ((first_version, older_change), (older_change, cited_version)):
        ChangeEvent.objects.create(
            document=document,
            version=version,
            previous_version=previous,
            created_at=version.captured_at,
        )

    clause_type = ClauseTypeFactory(name="Restriction on training competing models")
    provision = ProvisionFactory(
        document=document,
        title="Prohibition on Using Output to Train Competing AI Models",
        slug="no-training-on-output",
        severity=Severity.MEDIUM,
        clause_type=clause_type,
        clause_text=LUMA_CLAUSE,
        cited_version=cited_version,
        summary="SUMMARY-TEXT Customers may not use what the service generates to build AI.",
        why_it_matters="WHY-TEXT It fences off the output from model development.",
        consumer_impact="IMPACT-TEXT Using outputs as training data breaches the terms.",
        interpretive_note="NOTE-TEXT Indirect use is not defined.",
    )
    provision.categories.add(CategoryFactory(name="AI governance"))
    provision.regulations.add(
        RegulationFactory(name="EU AI Act", slug="eu-ai-act", jurisdiction="European Union"),
        RegulationFactory(name="Colorado AI Act", slug="colorado-ai-act", jurisdiction="US-CO"),
    )
    ProvisionAgency.objects.create(
        provision=provision,
        agency=AgencyFactory(
            name="Federal Trade Commission",
            short_name="FTC",
            complaint_url="https://reportfraud.ftc.example/",
        ),
        note="AGENCY-NOTE Undisclosed limits on output use may be a deceptive practice.",
    )
    FAQEntryFactory(
        provision=provision, question="Can I fine-tune my own model on outputs?", answer="No."
    )

    sibling = ProvisionFactory(
        document=document, title="Usage Data Ownership", slug="usage-data", severity=Severity.HIGH
    )
    draft_sibling = ProvisionFactory(
        document=document,
        title="DRAFT-SIBLING Unreviewed clause",
        slug="draft-sibling",
        status=ProvisionStatus.DRAFT,
        published_at=None,
    )
    peer = ProvisionFactory(
        document__platform=PlatformFactory(name="Hulu", slug="hulu", sector=Sector.MEDIA),
        title="PEER-TITLE No AI tools on our content",
        clause_type=clause_type,
        severity=Severity.HIGH,
        clause_text="PEER-CLAUSE You may not use the service to train AI tools.",
    )
    draft_peer = ProvisionFactory(
        document__platform=PlatformFactory(name="Draftly", slug="draftly"),
        title="DRAFT-PEER Hidden",
        clause_type=clause_type,
        status=ProvisionStatus.IN_REVIEW,
        published_at=None,
    )
    other_type = ProvisionFactory(
        document__platform=PlatformFactory(name="Hinge", slug="hinge", sector=Sector.SOCIAL),
        title="Arbitration of disputes",
        severity=Severity.CRITICAL,
    )

    article_by_provision = AnalysisArticle.objects.create(
        title="ARTICLE-ONE How AI platforms restrict training on output",
        slug="training-on-output",
        summary="A comparison across AI platforms.",
        is_published=True,
        published_at=now - timedelta(days=3),
    )
    article_by_provision.provisions.add(provision)
    article_by_clause_type = AnalysisArticle.objects.create(
        title="ARTICLE-TWO Competing-model clauses in 2026",
        slug="competing-model-clauses",
        summary="Which platforms forbid it.",
        is_published=True,
        published_at=now - timedelta(days=10),
    )
    article_by_clause_type.clause_types.add(clause_type)
    unpublished_article = AnalysisArticle.objects.create(
        title="ARTICLE-HIDDEN Not ready", slug="not-ready", summary="Draft.", is_published=False
    )
    unpublished_article.provisions.add(provision)

    return SampleCatalog(
        platform=platform,
        provision=provision,
        snapshot=snapshot,
        peer=peer,
        sibling=sibling,
        draft_sibling=draft_sibling,
        draft_peer=draft_peer,
        other_type=other_type,
        article_by_provision=article_by_provision,
        article_by_clause_type=article_by_clause_type,
        unpublished_article=unpublished_article,
    )
