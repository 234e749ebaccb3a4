"""Platform grades: the rule at its boundaries, too few provisions, and the stored grade kept
current when provisions are published, withdrawn, edited, moved or deleted."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.platforms.models import Platform
from apps.provisions.grades import MIN_GRADED_PROVISIONS, grade_for
from apps.provisions.models import Provision, ProvisionStatus, Severity
from apps.provisions.services import (
    platform_grades_recompute,
    provision_curated_save,
    provision_publish,
    provision_return_to_draft,
    provision_submit_for_review,
    provisions_delete,
)
from tests.factories import DocumentFactory, PlatformFactory, ProvisionFactory

LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL


def counts(*severities: int) -> dict[int, int]:
    result: dict[int, int] = {}
    for severity in severities:
        result[severity] = result.get(severity, 0) + 1
    return result


@pytest.mark.parametrize(
    ("severities", "grade"),
    [
        # Average concern (low 0, medium 1, high 2, critical 3) against the ceilings
        # A ≤ 0.5 < B ≤ 1 < C ≤ 1.5 < D ≤ 2 < E.
        ((LOW, LOW, LOW), "A"),  # 0
        ((LOW, LOW, LOW, MEDIUM, MEDIUM, LOW), "A"),  # 2/6 = 0.33
        ((LOW, LOW, MEDIUM, MEDIUM), "A"),  # exactly 0.5
        ((LOW, MEDIUM, MEDIUM), "B"),  # 0.67
        ((MEDIUM, MEDIUM, MEDIUM), "B"),  # exactly 1
        ((LOW, HIGH, MEDIUM, MEDIUM), "B"),  # exactly 1
        ((MEDIUM, MEDIUM, HIGH), "C"),  # 1.33
        ((MEDIUM, HIGH, MEDIUM, HIGH), "C"),  # exactly 1.5
        ((MEDIUM, HIGH, HIGH), "D"),  # 1.67
        ((HIGH, HIGH, HIGH), "D"),  # exactly 2
        ((HIGH, HIGH, CRITICAL), "E"),  # 2.33
        ((CRITICAL, CRITICAL, CRITICAL), "E"),  # 3
        # A critical clause caps the grade at C, however mild the rest.
        ((LOW, LOW, LOW, LOW, LOW, LOW, LOW, CRITICAL), "C"),  # 0.375 would be A
        ((LOW, LOW, MEDIUM, CRITICAL), "C"),  # 1 would be B
        ((MEDIUM, HIGH, HIGH, CRITICAL), "D"),  # 2: the cap does not improve a grade
    ],
)
def test_grade_rule_boundaries(severities, grade):
    assert grade_for(counts(*severities)) == grade


@pytest.mark.parametrize("severities", [(), (LOW,), (CRITICAL, CRITICAL)])
def test_too_few_provisions_get_no_grade(severities):
    assert len(severities) < MIN_GRADED_PROVISIONS
    assert grade_for(counts(*severities)) == ""


def graded(platform: Platform) -> str:
    return Platform.objects.get(pk=platform.pk).grade


def published(platform: Platform, *severities: int) -> list[Provision]:
    return [ProvisionFactory(document__platform=platform, severity=s) for s in severities]


@pytest.fixture
def draft(db):
    """A platform with two published low provisions (too few to grade) and a draft critical
    one, its document ready to be published."""
    platform = PlatformFactory()
    document = DocumentFactory(platform=platform)
    for _ in range(2):
        ProvisionFactory(document=document, severity=LOW)
    return ProvisionFactory(
        document=document, severity=CRITICAL, status=ProvisionStatus.DRAFT, published_at=None
    )


@pytest.mark.django_db
def test_publishing_and_withdrawing_recompute_the_grade(draft):
    platform = draft.document.platform
    assert graded(platform) == ""
    provision_submit_for_review(provision=draft)
    assert graded(platform) == ""  # in review is not published
    provision_publish(provision=draft)
    # (0 + 0 + 3) / 3 = 1 would be B; the critical clause caps it at C.
    assert graded(platform) == "C"
    provision_return_to_draft(provision=draft, reason="Misread")
    assert graded(platform) == ""


@pytest.mark.django_db
def test_a_severity_edit_recomputes_the_grade(db):
    platform = PlatformFactory()
    provisions = published(platform, LOW, LOW, LOW)
    platform_grades_recompute(platform_ids=[platform.pk])
    assert graded(platform) == "A"
    edited = provisions[0]
    edited.severity = CRITICAL
    provision_curated_save(provision=edited)
    assert graded(platform) == "C"


@pytest.mark.django_db
def test_moving_a_provision_regrades_both_platforms(db):
    before, after = PlatformFactory(), PlatformFactory()
    moved = published(before, HIGH, HIGH, HIGH)[0]
    published(after, LOW, LOW)
    platform_grades_recompute()
    assert (graded(before), graded(after)) == ("D", "")
    moved.document = DocumentFactory(platform=after)
    provision_curated_save(provision=moved)
    # Before keeps two provisions (too few); after now has three: (0 + 0 + 2) / 3 = 0.67.
    assert (graded(before), graded(after)) == ("", "B")


@pytest.mark.django_db
def test_deleting_provisions_recomputes_the_grade(db):
    platform = PlatformFactory()
    provisions = published(platform, MEDIUM, MEDIUM, MEDIUM, CRITICAL)
    platform_grades_recompute()
    assert graded(platform) == "C"  # 6/4 = 1.5
    deleted = provisions_delete(provisions=Provision.objects.filter(pk=provisions[-1].pk))
    assert deleted == 1
    assert graded(platform) == "B"
    provisions_delete(provisions=Provision.objects.filter(pk=provisions[0].pk))
    assert graded(platform) == ""


@pytest.mark.django_db
def test_recompute_reports_changes_and_converges(db, django_assert_max_num_queries):
    platforms = [PlatformFactory() for _ in range(6)]
    for platform, severity in zip(platforms, Severity, strict=False):
        published(platform, severity, severity, severity)
    Platform.objects.update(grade="E")
    # Lock and read the grades, count the severities, one update per new grade: a fixed
    # number of queries however many platforms (plus the savepoint).
    with django_assert_max_num_queries(2 + 5 + 2):
        changed = platform_grades_recompute()
    assert changed == 5  # the critical platform stays E
    assert [graded(p) for p in platforms] == ["A", "B", "D", "E", "", ""]
    assert platform_grades_recompute() == 0


@pytest.mark.django_db
def test_the_command_recomputes_every_grade(db):
    platform = PlatformFactory()
    published(platform, HIGH, HIGH, HIGH)
    PlatformFactory()
    out = StringIO()
    call_command("recompute_grades", stdout=out)
    assert graded(platform) == "D"
    assert out.getvalue().strip() == "1 grade changed; 1 of 2 platforms graded."


@pytest.mark.django_db
def test_admin_edit_and_delete_recompute_the_grade(client):
    curator = get_user_model().objects.create_superuser(
        email="grader@conductatlas.test", password="a long curator password"
    )
    client.force_login(curator)
    platform = PlatformFactory()
    first, *_rest = published(platform, LOW, LOW, LOW)
    platform_grades_recompute()
    assert graded(platform) == "A"
    change_url = reverse("admin:provisions_provision_change", args=[first.pk])
    data = {
        "document": first.document_id,
        "title": first.title,
        "slug": first.slug,
        "severity": str(CRITICAL.value),
        "clause_type": first.clause_type_id,
        "clause_text": first.clause_text,
        "summary": first.summary,
        "why_it_matters": first.why_it_matters,
        "consumer_impact": first.consumer_impact,
    }
    for prefix in ("provisionagency_set", "faq_entries"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    assert client.post(change_url, data).status_code == 302
    assert graded(platform) == "C"
    assert Provision.objects.get(pk=first.pk).history.first().history_user == curator

    platform_page = client.get(reverse("admin:platforms_platform_change", args=[platform.pk]))
    assert platform_page.status_code == 200
    assert re.search(r'<div class="readonly">C</div>', platform_page.content.decode())
    graded_list = client.get(reverse("admin:platforms_platform_changelist"), {"grade": "C"})
    assert platform.name in graded_list.content.decode()

    delete_url = reverse("admin:provisions_provision_delete", args=[first.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert graded(platform) == ""


@pytest.mark.django_db
def test_pages_and_api_show_the_grade_or_say_why_not(client, db):
    graded_platform = PlatformFactory(name="Gradeful", slug="gradeful")
    published(graded_platform, HIGH, HIGH, HIGH)
    ungraded = PlatformFactory(name="Sparse", slug="sparse")
    published(ungraded, LOW)
    platform_grades_recompute()

    page = client.get(graded_platform.get_absolute_url()).content.decode()
    assert "Grade D</span>" in page and "From the severity of its 3 published provisions" in page
    sparse = client.get(ungraded.get_absolute_url()).content.decode()
    assert "Not graded</span>" in sparse
    assert (
        f"We grade a platform once it has at least {MIN_GRADED_PROVISIONS} published "
        "provisions; Sparse has 1." in sparse
    )
    listing = " ".join(client.get("/platforms/").content.decode().split())
    assert "Grade D</span> 3 provisions" in listing and "Not graded</span> 1 provision" in listing

    api = APIClient().get("/api/v1/platforms/").json()
    grades = {row["slug"]: row["grade"] for row in api["results"]}
    assert grades == {"gradeful": "D", "sparse": ""}


@pytest.mark.django_db
def test_the_methodology_page_states_the_rule(client):
    html = client.get("/methodology/").content.decode()
    section = html[html.index('id="grades"') : html.index('id="comparison"')]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "low 0, medium 1, high 2, critical 3" in text
    for line in ("A at most 0.5", "B above 0.5, at most 1", "C above 1, at most 1.5"):
        assert line in text
    assert "D above 1.5, at most 2" in text and "E above 2" in text
    assert "no better than C" in text
    assert f"fewer than {MIN_GRADED_PROVISIONS} published provisions is not graded" in text
