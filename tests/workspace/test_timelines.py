"""Governance timelines: every kind of entry in order, the activity chart's one mark per period,
the filters (and their errors), the CSV read back, and the teaser or 403 for other plans."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents.models import ChangeEvent, VersionKind
from apps.provisions.models import ImpactStatus, ProvisionImpact, ProvisionStatus
from apps.provisions.services import provision_transition
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
    UserFactory,
)
from tests.tiers import TIERS, client_for_tier, csrf_client, member_on_plan

pytestmark = pytest.mark.django_db


def at(year, month, day=15) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def _change(document, number, when, summary=None):
    previous = document.versions.get(number=number - 1)
    version = DocumentVersionFactory(
        document=document, number=number, kind=VersionKind.CHANGE, captured_at=when
    )
    return ChangeEvent.objects.create(
        document=document,
        version=version,
        previous_version=previous,
        created_at=when,
        summary=summary
        or {
            "sections_added": ["Data"],
            "sections_removed": [],
            "sections_reworded": ["Licence", "Fees"],
            "words_added": 40,
            "words_removed": 12,
        },
    )


@pytest.fixture
def history():
    """A platform with two documents: the terms changed in February and twice in April 2026;
    one provision reworded by the first change, another removed by the last; one provision
    went through the curator workflow; a draft never reaches the timeline."""
    platform = PlatformFactory(name="Acme", slug="acme")
    terms = DocumentFactory(platform=platform, title="Acme Terms", slug="terms")
    privacy = DocumentFactory(platform=platform, title="Acme Privacy", slug="privacy")
    DocumentVersionFactory(document=terms, number=1, captured_at=at(2026, 1, 5))
    DocumentVersionFactory(document=privacy, number=1, captured_at=at(2026, 1, 6))
    february = _change(terms, 2, at(2026, 2, 10))
    april_early = _change(terms, 3, at(2026, 4, 2))
    april_late = _change(terms, 4, at(2026, 4, 20))
    reworded = ProvisionFactory(document=terms, title="REWORDED licence clause")
    removed = ProvisionFactory(document=terms, title="REMOVED fees clause")
    ProvisionImpact.objects.create(
        change_event=february,
        provision=reworded,
        status=ImpactStatus.REWORDED,
        similarity=0.82,
    )
    ProvisionImpact.objects.create(
        change_event=april_late, provision=removed, status=ImpactStatus.GONE, similarity=0.1
    )
    reviewed = ProvisionFactory(
        document=privacy,
        title="REVIEWED privacy clause",
        status=ProvisionStatus.DRAFT,
        published_at=None,
        no_regulation_applies=True,
        no_agency_applies=True,
    )
    submitter = UserFactory(is_staff=True, is_superuser=True)
    reviewer = UserFactory(is_staff=True, is_superuser=True)
    provision_transition(provision=reviewed, action="submit", by=submitter)
    provision_transition(provision=reviewed, action="publish", by=reviewer)
    ProvisionFactory(
        document=terms, title="DRAFT clause", status=ProvisionStatus.DRAFT, published_at=None
    )
    return {
        "platform": platform,
        "terms": terms,
        "reworded": reworded,
        "removed": removed,
        "april_early": april_early,
    }


def pro_client():
    return csrf_client(member_on_plan("professional")[0])


def chart_bars(html: str) -> list:
    """The marks of the activity chart, as the browser's parser sees the inline SVG."""
    return BeautifulSoup(html, "html.parser").select("svg#activity-chart rect.activity-bar")


def test_the_platform_timeline_shows_every_kind_of_entry_in_order(history):
    response = pro_client().get("/timeline/acme/")
    assert response.status_code == 200
    html = response.content.decode()
    entries = html[html.index('id="timeline-entries"') :]
    for text in (
        "Version 1: first record",
        "Version 2 changed the text",
        "1 section added; 2 sections reworded; 40 words added, 12 removed",
        "Provision added",
        "REWORDED licence clause",
        "closest passage 82% similar",
        "REMOVED fees clause",
        "The clause is no longer in the document",
        "Curator review",
        "Submit for review (now in review)",
        "Published",
    ):
        assert text in entries, text
    assert "DRAFT clause" not in html
    times = [chunk.split('"', 1)[0] for chunk in entries.split('<time datetime="')[1:] if chunk]
    assert times == sorted(times)


def test_the_chart_has_one_mark_per_month_counting_the_changes(history):
    html = pro_client().get("/timeline/acme/", {"since": "2026-01-01", "until": "2026-06-30"})
    bars = chart_bars(html.content.decode())
    assert [bar.get("data-period") for bar in bars] == [f"2026-0{month}" for month in range(1, 7)]
    assert [int(bar.get("data-count")) for bar in bars] == [0, 1, 0, 2, 0, 0]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[3] > heights[1] > heights[0]


def test_a_long_history_is_charted_per_year(history):
    html = pro_client().get("/timeline/acme/", {"since": "2021-03-01", "until": "2026-12-31"})
    bars = chart_bars(html.content.decode())
    assert [bar.get("data-period") for bar in bars] == [str(year) for year in range(2021, 2027)]
    assert bars[-1].get("data-count") == "3"


def test_filters_narrow_the_timeline_to_a_document_and_dates(history):
    client = pro_client()
    privacy_only = client.get("/timeline/acme/", {"document": "privacy"}).content.decode()
    assert "REVIEWED privacy clause" in privacy_only
    assert "Version 2 changed the text" not in privacy_only

    april = client.get("/timeline/acme/", {"since": "2026-04-01", "until": "2026-04-30"})
    html = april.content.decode()
    assert "Version 3 changed the text" in html and "REMOVED fees clause" in html
    assert "Version 2 changed the text" not in html and "REWORDED licence clause" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-01"}, "Enter a valid date."),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "date is after the"),
        ({"document": "no-such-document"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained_not_a_500(history, query, message):
    client = pro_client()
    page = client.get("/timeline/acme/", query)
    assert page.status_code == 400
    assert message in page.content.decode()
    export = client.get("/timeline/acme/timeline.csv", query)
    assert export.status_code == 400
    assert message in export.content.decode()


def test_the_csv_export_reads_back_as_the_filtered_timeline(history):
    response = pro_client().get(
        "/timeline/acme/timeline.csv", {"since": "2026-04-01", "until": "2026-04-30"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="acme-timeline.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["kind"], row["title"]) for row in rows] == [
        ("Change", "Version 3 changed the text"),
        ("Change", "Version 4 changed the text"),
        ("Provision removed", "REMOVED fees clause"),
    ]
    assert rows[0]["document"] == "Acme Terms"
    assert rows[2]["record_id"] == history["removed"].record_id
    assert rows[0]["url"].endswith(
        reverse("changes:detail", kwargs={"change_event_id": history["april_early"].pk})
    )
    assert rows[0]["date"].startswith("2026-04-02")


def test_a_provision_timeline_holds_its_document_and_only_its_own_events(history):
    provision = history["reworded"]
    url = reverse(
        "workspace:provision_timeline",
        kwargs={
            "platform_slug": "acme",
            "document_slug": "terms",
            "provision_slug": provision.slug,
        },
    )
    html = pro_client().get(url).content.decode()
    assert "closest passage 82% similar" in html
    assert "Version 4 changed the text" in html
    assert "REMOVED fees clause" not in html and "REVIEWED privacy clause" not in html
    rows = list(
        csv.DictReader(io.StringIO(pro_client().get(url + "timeline.csv").content.decode()))
    )
    assert {row["record_id"] for row in rows} == {history["terms"].record_id, provision.record_id}


@pytest.mark.parametrize("tier", TIERS)
def test_tiers_get_the_timeline_or_its_teaser_and_the_csv_or_a_403(tier, history):
    client = client_for_tier(tier)
    page = client.get("/timeline/acme/")
    assert page.status_code == 200
    html = page.content.decode()
    export = client.get("/timeline/acme/timeline.csv")
    if tier == "professional":
        assert 'id="timeline-entries"' in html and "activity-chart" in html
        assert export.status_code == 200
    else:
        assert 'id="timeline-teaser"' in html
        assert "archived 5 versions" in html and "3 documented changes" in html
        assert "REWORDED licence clause" not in html and "activity-chart" not in html
        assert 'data-plan="professional"' in html
        assert export.status_code == 403
        assert export["Content-Type"].startswith("text/html")


def test_unknown_subjects_are_404():
    client = pro_client()
    assert client.get("/timeline/nope/").status_code == 404
    assert client.get("/timeline/nope/timeline.csv").status_code == 404
    assert client.get("/timeline/nope/a/b/").status_code == 404


def test_the_timeline_page_runs_a_fixed_number_of_queries(history, django_assert_max_num_queries):
    client = pro_client()
    client.get("/timeline/acme/")
    for number in range(5, 25):
        _change(history["terms"], number, at(2026, 5, 1) + timedelta(days=number))
        ProvisionFactory(document=history["terms"])
    with django_assert_max_num_queries(12):
        assert client.get("/timeline/acme/").status_code == 200
