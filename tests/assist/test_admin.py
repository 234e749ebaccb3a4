"""The curators' admin for clause suggestions: per-version lists, accept/reject actions, and a
warning whenever the small fallback model stands in for the trained one."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.assist.models import ClauseSuggestion, SuggestionStatus
from apps.assist.services import version_clauses_suggest
from apps.documents.services import snapshot_ingest
from apps.provisions.models import ProvisionStatus
from tests.assist.conftest import EXPECTED_LABELS, LIABILITY, TERMINATION, TERMS
from tests.documents.pipeline_helpers import MARKDOWN
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:assist_clausesuggestion_changelist"
FALLBACK_WARNING = "the trained model cannot be used"


@pytest.fixture
def version(classification_on):
    version = snapshot_ingest(
        document=DocumentFactory(),
        raw=TERMS.encode(),
        content_type=MARKDOWN,
        final_url="https://example.com/terms",
        headers={},
        fetched_at=timezone.now(),
    ).version
    version_clauses_suggest(version=version)
    return version


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def test_the_list_shows_a_versions_suggestions_and_says_the_small_model_made_them(
    curator_client, version
):
    other = snapshot_ingest(
        document=DocumentFactory(),
        raw=TERMS.replace(LIABILITY, "We are never liable for lost profits of any kind.").encode(),
        content_type=MARKDOWN,
        final_url="https://example.com/other-terms",
        headers={},
        fetched_at=timezone.now(),
    ).version
    version_clauses_suggest(version=other)

    response = curator_client.get(reverse(CHANGELIST), {"version__id__exact": version.pk})

    html = response.content.decode()
    assert response.status_code == 200
    for sentence in EXPECTED_LABELS:
        assert sentence[:60].replace(",", "") in html.replace(",", "")
    assert "Limitation of liability" in html
    assert FALLBACK_WARNING in html and "No model file at" in html
    assert "We are never liable" not in html
    assert ClauseSuggestion.objects.filter(
        version=other, sentence__startswith="We are never"
    ).exists()


def test_no_warning_when_the_trained_model_is_sound(
    curator_client, version, settings, trained_model_file
):
    settings.CLAUSE_MODEL_PATH = trained_model_file
    response = curator_client.get(reverse(CHANGELIST))
    assert FALLBACK_WARNING not in response.content.decode()


def test_a_corrupt_model_file_is_named_in_the_warning(curator_client, version, settings, tmp_path):
    settings.CLAUSE_MODEL_PATH = tmp_path / "model.npz"
    settings.CLAUSE_MODEL_PATH.write_bytes(b"garbage")
    response = curator_client.get(reverse("admin:assist_versionclassification_changelist"))
    html = response.content.decode()
    assert FALLBACK_WARNING in html and "cannot be read" in html


def test_accept_and_reject_actions(curator_client, curator, version):
    liability = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)
    termination = ClauseSuggestion.objects.get(version=version, sentence=TERMINATION)

    accepted = curator_client.post(
        reverse(CHANGELIST),
        {"action": "accept_as_draft", "_selected_action": [liability.pk]},
        follow=True,
    )
    rejected = curator_client.post(
        reverse(CHANGELIST),
        {"action": "reject", "_selected_action": [termination.pk]},
        follow=True,
    )

    assert "1 suggestion accepted as draft provisions." in accepted.content.decode()
    assert "1 suggestion rejected." in rejected.content.decode()
    liability.refresh_from_db()
    termination.refresh_from_db()
    assert liability.status == SuggestionStatus.ACCEPTED
    assert liability.provision.status == ProvisionStatus.DRAFT
    assert liability.provision.clause_text == LIABILITY
    assert (termination.status, termination.decided_by) == (SuggestionStatus.REJECTED, curator)


def test_deciding_twice_is_a_message_not_an_error_page(curator_client, version):
    liability = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)
    for _ in range(2):
        response = curator_client.post(
            reverse(CHANGELIST),
            {"action": "reject", "_selected_action": [liability.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "already rejected: it cannot be rejected" in response.content.decode()


def test_staff_without_the_triage_permission_can_look_but_not_decide(client, version):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_clausesuggestion", content_type__app_label="assist")
    )
    client.force_login(viewer)
    liability = ClauseSuggestion.objects.get(version=version, sentence=LIABILITY)

    listing = client.get(reverse(CHANGELIST))
    client.post(
        reverse(CHANGELIST), {"action": "accept_as_draft", "_selected_action": [liability.pk]}
    )

    assert listing.status_code == 200
    assert "accept_as_draft" not in listing.content.decode()
    liability.refresh_from_db()
    assert liability.status == SuggestionStatus.PENDING


def test_the_list_queries_do_not_grow_with_rows(
    curator_client, version, django_assert_max_num_queries
):
    for number in range(30):
        ClauseSuggestion.objects.create(
            version=version,
            document=version.document,
            position=100 + number,
            sentence=f"Extra sentence {number} of the version.",
            sentence_sha256=f"{number:064d}",
            label="Arbitration",
            clause_type_id=ClauseSuggestion.objects.first().clause_type_id,
            confidence=0.7,
        )
    with django_assert_max_num_queries(12):
        response = curator_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
