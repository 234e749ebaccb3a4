from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from apps.catalog_demo.loader import CORPUS_DIR, DATA_DIR, demo_catalog_load
from apps.documents.models import Document
from apps.platforms.models import Platform
from apps.provisions.grades import grade_for
from apps.provisions.models import (
    MEMO_FIELDS,
    AnalysisArticle,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionAgency,
)
from apps.regulations.models import Agency, Regulation
from tests.demo.guards import shared_folder_unreadable

SEED_REGULATIONS = {
    "EU AI Act",
    "California AB 2013 AI Training Data Transparency",
    "Colorado AI Act",
    "EU AI Act - High Risk Provisions",
    "GDPR",
    "Texas AI Act",
    "Trump Executive Order on AI Policy Framework",
    "CCPA",
}
SEED_AGENCIES = {"FTC", "California AG", "CPPA", "State AG", "Irish DPC"}
LUMA_CLAUSE_OPENINGS = {
    "Prohibition on Using Output to Train Competing AI Models": "Customer will not (and will "
    "not permit its Users or anyone else to) do any of the following",
    "Licence to Input for Training, Usage Data and Aggregated Data": "You hereby grant to Luma a "
    "worldwide, non-exclusive, irrevocable, royalty-free",
    "Usage Data and Aggregated Data Ownership": "As between the parties, Luma owns and retains "
    "all right, title, and interest",
}
ANALYSIS_FIELDS = ("summary", "why_it_matters", "consumer_impact", *MEMO_FIELDS)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo catalog, loaded once for this module's tests inside a transaction that is rolled
    back afterwards (each test still runs in its own savepoint)."""
    media_root = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        with shared_folder_unreadable():
            demo_catalog_load()
        yield
        transaction.set_rollback(True)


def test_demo_data_ships_inside_the_repository_and_is_small():
    repository = settings.BASE_DIR.resolve()
    files = [path for path in DATA_DIR.rglob("*") if path.is_file()]

    assert CORPUS_DIR.resolve().is_relative_to(repository)
    assert all(path.resolve().is_relative_to(repository) for path in files)
    assert (DATA_DIR / "ATTRIBUTION.md").is_file()
    assert sum(path.stat().st_size for path in files) < 1_000_000


def test_demo_catalog_meets_the_brief(demo, db):
    published = Provision.objects.published()

    assert Platform.objects.count() >= 12
    assert published.count() >= 40
    assert published.count() == Provision.objects.count()
    assert ClauseType.objects.filter(provisions__in=published).distinct().count() >= 8
    assert set(Regulation.objects.values_list("name", flat=True)) >= SEED_REGULATIONS
    assert set(Agency.objects.values_list("short_name", flat=True)) >= SEED_AGENCIES
    assert Agency.objects.get(short_name="FTC").complaint_url == "https://reportfraud.ftc.gov/"
    assert AnalysisArticle.objects.filter(is_published=True, provisions__isnull=False).exists()

    luma = {p.title: p for p in published.filter(document__platform__slug="luma-ai")}
    assert set(luma) == set(LUMA_CLAUSE_OPENINGS)
    for title, opening in LUMA_CLAUSE_OPENINGS.items():
        assert luma[title].clause_text.startswith(opening)
    assert luma["Prohibition on Using Output to Train Competing AI Models"].severity == 2


def test_the_demo_load_grades_its_platforms(demo, db):
    # Every demo platform has enough published provisions to be graded, by the same rule.
    for platform in Platform.objects.all():
        severities = Counter(
            Provision.objects.published()
            .filter(document__platform=platform)
            .values_list("severity", flat=True)
        )
        assert platform.grade, platform.slug
        assert platform.grade == grade_for(severities), platform.slug


def test_every_demo_provision_is_complete_and_quotes_its_archived_version(demo, db):
    provisions = Provision.objects.published().select_related("cited_version", "document")

    for provision in provisions:
        assert all(getattr(provision, name).strip() for name in ANALYSIS_FIELDS), provision
        assert provision.severity and provision.clause_type_id and provision.categories.exists()
        assert provision.regulations.exists(), provision
        notes = ProvisionAgency.objects.filter(provision=provision).values_list("note", flat=True)
        assert notes and all(note.strip() for note in notes), provision
        # One to three FAQ entries of its own, plus the independence statement.
        assert 2 <= FAQEntry.objects.filter(provision=provision).count() <= 4, provision
        if provision.document.platform.slug != "luma-ai":
            assert provision.cited_version is not None, provision
            assert provision.clause_text in provision.cited_version.text, provision

    for document in Document.objects.all():
        assert not document.is_monitored
        assert document.source_url.startswith("https://")
        assert document.first_tracked_at and document.last_verified_at
    corpus_backed = Document.objects.exclude(platform__slug="luma-ai")
    assert corpus_backed.count() >= 11
    assert all(document.versions.count() >= 2 for document in corpus_backed)
