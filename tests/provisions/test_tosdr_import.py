import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apps.documents.models import Document, DocumentType
from apps.platforms.models import Platform
from apps.provisions.models import MEMO_FIELDS, ClauseType, Provision, ProvisionStatus, Severity
from apps.provisions.services import provision_transition, tosdr_import
from apps.provisions.services.tosdr_import import SkipReason
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "tosdr_sample"


def _counts() -> dict[str, int]:
    return {
        "platforms": Platform.objects.count(),
        "documents": Document.objects.count(),
        "clause types": ClauseType.objects.count(),
        "provisions": Provision.objects.count(),
        "provision history": Provision.history.count(),
    }


def _sample_points() -> list[dict]:
    return [json.loads(line) for line in (SAMPLE / "points.jsonl").read_text().splitlines()]


def _write_sample(directory: Path, points_lines: list[str]) -> Path:
    shutil.copy(SAMPLE / "services.jsonl", directory / "services.jsonl")
    (directory / "points.jsonl").write_text("\n".join(points_lines) + "\n", encoding="utf-8")
    return directory


def test_points_become_drafts_with_their_quote_case_classification_and_analysis():
    report = tosdr_import(directory=SAMPLE)

    assert report.points_read == 11
    assert report.provisions_created == 9
    assert report.skipped == {SkipReason.NO_QUOTE: 1, SkipReason.UNKNOWN_CASE: 1}
    assert report.unknown_cases == {"The service provides a free help desk": 1}
    # Every imported provision waits for review.
    assert set(Provision.objects.values_list("status", flat=True)) == {ProvisionStatus.DRAFT}
    assert not Provision.objects.published().exists()

    point = next(p for p in _sample_points() if p["point_id"] == "6724")
    provision = Provision.objects.select_related("document__platform", "clause_type").get(
        tosdr_point_id="6724"
    )
    assert provision.clause_text == point["quote"].strip()
    assert provision.title == point["title"]
    assert provision.clause_type.slug == "liability-limitation"
    assert provision.severity == Severity.HIGH
    assert provision.document.title == "Terms of Service"
    assert provision.document.doc_type == DocumentType.TERMS_OF_SERVICE
    assert provision.document.platform.name == "1password"
    assert "ToS;DR point 6724 (bad, score" in provision.curator_note
    assert "ToS;DR contributors" in provision.curator_note


def test_the_analysis_is_kept_as_the_curators_starting_note():
    tosdr_import(directory=SAMPLE)

    point = next(p for p in _sample_points() if p["analysis"].strip())
    note = Provision.objects.get(tosdr_point_id=point["point_id"]).curator_note
    assert point["analysis"].replace("\r\n", "\n").strip() in note


def test_imported_documents_wait_for_a_source_url_unmonitored():
    tosdr_import(directory=SAMPLE)

    documents = Document.objects.filter(provisions__tosdr_point_id__isnull=False).distinct()
    assert documents.exists()
    assert {(d.source_url, d.is_monitored) for d in documents} == {("", False)}


def test_services_match_existing_platforms_by_name_or_domain():
    airbnb = PlatformFactory(name="Airbnb", slug="airbnb-inc")
    onepassword = PlatformFactory(
        name="1Password by AgileBits", slug="agilebits", website="https://www.1password.com/"
    )

    report = tosdr_import(directory=SAMPLE)

    assert report.platforms_matched == {airbnb.pk, onepassword.pk}
    assert report.platforms_created == 1
    assert set(Provision.objects.values_list("document__platform__name", flat=True)) == {
        "Airbnb",
        "1Password by AgileBits",
        "4chan",
    }


def test_a_second_run_changes_nothing(capsys):
    tosdr_import(directory=SAMPLE)
    edited = Provision.objects.get(tosdr_point_id="6724")
    edited.summary = "Written by a curator after the import."
    edited.save()
    before = _counts()

    report = tosdr_import(directory=SAMPLE)

    assert report.provisions_created == 0
    assert report.skipped[SkipReason.ALREADY_IMPORTED] == 9
    assert _counts() == before
    assert Provision.objects.get(pk=edited.pk).summary == "Written by a curator after the import."


def test_a_point_twice_in_the_file_is_imported_once(tmp_path):
    line = (SAMPLE / "points.jsonl").read_text().splitlines()[0]

    report = tosdr_import(directory=_write_sample(tmp_path, [line, line]))

    assert report.provisions_created == 1
    assert report.skipped == {SkipReason.ALREADY_IMPORTED: 1}


def test_a_malformed_line_is_reported_by_number_and_the_rest_imported(tmp_path):
    lines = (SAMPLE / "points.jsonl").read_text().splitlines()
    lines.insert(2, '{"point_id": "1", "services": ["airbnb"], "quote": "trunc')

    report = tosdr_import(directory=_write_sample(tmp_path, lines))

    assert report.skipped[SkipReason.MALFORMED] == 1
    assert any(
        problem.startswith("points.jsonl line 3: not valid JSON") for problem in report.problems
    )
    assert report.provisions_created == 9


def test_a_line_that_is_not_utf8_is_reported_by_number(tmp_path):
    lines = (SAMPLE / "points.jsonl").read_text().splitlines()
    _write_sample(tmp_path, lines)
    with (tmp_path / "points.jsonl").open("ab") as points:
        points.write(b'{"point_id": "\xff"}\n')

    report = tosdr_import(directory=tmp_path)

    assert report.problems == ["points.jsonl line 12: not UTF-8 (byte 15)."]
    assert report.provisions_created == 9


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"quote": None}, SkipReason.NO_QUOTE),
        ({"quote": "   "}, SkipReason.NO_QUOTE),
        ({"case": "A case nobody mapped"}, SkipReason.UNKNOWN_CASE),
        ({"classification": "dreadful"}, SkipReason.UNKNOWN_CLASSIFICATION),
        ({"services": ["not-in-services-file"]}, SkipReason.UNKNOWN_SERVICE),
        ({"services": []}, SkipReason.INVALID),
        ({"point_id": ""}, SkipReason.INVALID),
    ],
)
def test_a_point_that_cannot_be_imported_is_skipped_with_its_reason(tmp_path, change, reason):
    point = {**_sample_points()[0], **change}

    report = tosdr_import(directory=_write_sample(tmp_path, [json.dumps(point)]))

    assert report.skipped == {reason: 1}
    assert _counts()["provisions"] == 0
    assert Platform.objects.count() == 0


def test_a_point_that_fails_leaves_nothing_half_written(tmp_path, monkeypatch):
    points = _sample_points()
    failing = next(p for p in points if p["services"] == ["4chan"])
    original = Provision.full_clean

    def refuse_one(self, *args, **kwargs):
        if self.tosdr_point_id == failing["point_id"]:
            raise ValidationError({"clause_text": "Refused for the test."})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Provision, "full_clean", refuse_one)
    only_failing = [json.dumps(failing)]
    before = _counts()

    report = tosdr_import(directory=_write_sample(tmp_path, only_failing))

    assert report.skipped == {SkipReason.REJECTED: 1}
    assert "Refused for the test." in report.problems[0]
    # The platform, document and clause type created for this point went with it.
    assert _counts() == before


def test_the_command_prints_the_summary_and_attribution():
    out = StringIO()

    call_command("import_tosdr", str(SAMPLE), stdout=out, stderr=StringIO())

    printed = out.getvalue()
    assert "Read 11 points" in printed
    assert "Created 9 draft provisions, 3 platforms" in printed
    assert "1 no quote" in printed
    assert "1 no clause type for this case" in printed
    assert "case 'The service provides a free help desk'" in printed
    assert "ToS;DR contributors (CC BY-SA 3.0)" in printed


def test_the_command_refuses_a_directory_without_the_files(tmp_path):
    with pytest.raises(CommandError, match="services.jsonl not found"):
        call_command("import_tosdr", str(tmp_path), stdout=StringIO(), stderr=StringIO())


def test_imported_platforms_stay_off_the_public_pages_until_a_provision_is_published(
    client, django_user_model
):
    tosdr_import(directory=SAMPLE)
    platform = Platform.objects.get(name="4chan")
    provision = Provision.objects.filter(document__platform=platform).first()

    assert not platform.is_listed
    assert client.get(platform.get_absolute_url()).status_code == 404
    assert "4chan" not in client.get("/platforms/").content.decode()
    assert client.get("/api/v1/platforms/4chan/").status_code == 404

    submitter, reviewer = (
        django_user_model.objects.create_superuser(email=email, password="a long password")
        for email in ("one@conductatlas.test", "two@conductatlas.test")
    )
    Provision.objects.filter(pk=provision.pk).update(
        summary="s",
        why_it_matters="w",
        consumer_impact="c",
        no_regulation_applies=True,
        no_agency_applies=True,
        **dict.fromkeys(MEMO_FIELDS, "m"),
    )
    provision_transition(provision=provision, action="submit", by=submitter)
    provision_transition(provision=provision, action="publish", by=reviewer)

    platform.refresh_from_db()
    assert platform.is_listed
    assert client.get(platform.get_absolute_url()).status_code == 200
