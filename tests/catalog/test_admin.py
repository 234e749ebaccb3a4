import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.provisions.models import Provision, ProvisionStatus
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    ClauseTypeFactory,
    DocumentFactory,
    FAQEntryFactory,
    ProvisionFactory,
    RegulationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, query",
    [
        ("platforms_platform", {"q": "zoom", "sector__exact": "ai"}),
        ("regulations_regulation", {"q": "GDPR"}),
        ("regulations_agency", {"q": "FTC"}),
        ("provisions_clausetype", {"q": "arbitration"}),
        ("provisions_category", {"q": "data"}),
        ("provisions_analysisarticle", {"q": "training", "is_published__exact": "1"}),
        ("provisions_provision", {"q": "CA-P-"}),
        ("provisions_provision", {"status__exact": "draft", "severity__exact": "3"}),
        ("provisions_provision", {"needs_review__exact": "1"}),
    ],
)
def test_changelists_search_and_filters_load(curator_client, model, query):
    provision = ProvisionFactory(title="Zoom arbitration clause")
    FAQEntryFactory(provision=provision)
    RegulationFactory(name="GDPR")
    AgencyFactory(short_name="FTC")

    response = curator_client.get(reverse(f"admin:{model}_changelist"), query)

    assert response.status_code == 200
    assert "errornote" not in response.content.decode()


def test_provision_changelist_filters_by_clause_type_and_platform(curator_client):
    wanted = ProvisionFactory(title="Wanted clause")
    ProvisionFactory(title="Other clause")

    response = curator_client.get(
        reverse("admin:provisions_provision_changelist"),
        {
            "clause_type__id__exact": wanted.clause_type_id,
            "document__platform__id__exact": wanted.document.platform_id,
        },
    )

    html = response.content.decode()
    assert wanted.record_id in html
    assert "Other clause" not in html


def test_provision_changelist_queries_do_not_grow_with_rows(
    curator_client, django_assert_max_num_queries
):
    ProvisionFactory.create_batch(30)

    with django_assert_max_num_queries(12):
        response = curator_client.get(reverse("admin:provisions_provision_changelist"))

    assert response.status_code == 200


def test_provision_change_page_shows_record_id_read_only(curator_client, cited_provision):
    response = curator_client.get(
        reverse("admin:provisions_provision_change", args=[cited_provision.pk])
    )

    html = response.content.decode()
    assert cited_provision.record_id in html
    assert 'name="record_id"' not in html
    assert 'name="status"' not in html


def _csrf_client(curator) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    return client


def _csrf_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _provision_form_data(*, document, clause_type, severity) -> dict:
    data = {
        "document": document.pk,
        "title": "Licence to uploaded content",
        "slug": "licence-to-uploaded-content",
        "severity": severity,
        "clause_type": clause_type.pk if clause_type else "",
        "clause_text": "You grant us a worldwide licence.",
        "summary": "A licence.",
        "why_it_matters": "It is broad.",
        "consumer_impact": "Your posts can be reused.",
    }
    for prefix in ("provisionagency_set", "faq_entries"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


@pytest.mark.parametrize(
    "missing, message", [("severity", "Choose a severity"), ("clause_type", "Choose a clause type")]
)
def test_admin_add_rejects_a_provision_without_severity_or_clause_type(curator, missing, message):
    client = _csrf_client(curator)
    url = reverse("admin:provisions_provision_add")
    data = _provision_form_data(
        document=DocumentFactory(), clause_type=ClauseTypeFactory(), severity="2"
    )
    data[missing] = ""
    data["csrfmiddlewaretoken"] = _csrf_token(client, url)

    response = client.post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Provision.objects.exists()


def test_admin_add_creates_a_draft_with_a_record_id(curator):
    client = _csrf_client(curator)
    url = reverse("admin:provisions_provision_add")
    data = _provision_form_data(
        document=DocumentFactory(), clause_type=ClauseTypeFactory(), severity="3"
    )
    data["csrfmiddlewaretoken"] = _csrf_token(client, url)

    response = client.post(url, data)

    assert response.status_code == 302
    provision = Provision.objects.get()
    assert provision.status == ProvisionStatus.DRAFT
    assert re.fullmatch(r"CA-P-\d{6}", provision.record_id)


def test_admin_add_without_csrf_token_is_refused(curator):
    client = _csrf_client(curator)
    data = _provision_form_data(
        document=DocumentFactory(), clause_type=ClauseTypeFactory(), severity="3"
    )

    response = client.post(reverse("admin:provisions_provision_add"), data)

    assert response.status_code == 403
    assert not Provision.objects.exists()


def test_admin_edit_is_recorded_with_the_curator(curator, curator_client, cited_provision):
    url = reverse("admin:provisions_provision_change", args=[cited_provision.pk])
    data = _provision_form_data(
        document=cited_provision.document,
        clause_type=cited_provision.clause_type,
        severity="4",
    )
    data.update(
        {
            "title": cited_provision.title,
            "slug": cited_provision.slug,
            "clause_text": cited_provision.clause_text,
            "cited_version": cited_provision.cited_version_id,
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == 302
    record = cited_provision.history.first()
    assert (record.severity, record.history_user) == (4, curator)
    history_page = curator_client.get(
        reverse("admin:provisions_provision_history", args=[cited_provision.pk])
    )
    assert curator.email in history_page.content.decode()


def test_admin_rejects_a_clause_missing_from_its_cited_version(curator_client, cited_provision):
    url = reverse("admin:provisions_provision_change", args=[cited_provision.pk])
    data = _provision_form_data(
        document=cited_provision.document, clause_type=cited_provision.clause_type, severity="2"
    )
    data.update(
        {"cited_version": cited_provision.cited_version_id, "clause_text": "A made-up clause."}
    )

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert "does not appear in the cited version" in response.content.decode()
    cited_provision.refresh_from_db()
    assert cited_provision.clause_text != "A made-up clause."


def _run_action(client, action: str, provision) -> list[str]:
    response = client.post(
        reverse("admin:provisions_provision_changelist"),
        {"action": action, "_selected_action": [provision.pk]},
        follow=True,
    )
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_publish_action_refuses_a_draft(curator_client, cited_provision):
    messages = _run_action(curator_client, "publish", cited_provision)

    assert any("only a provision that is in review" in message for message in messages)
    cited_provision.refresh_from_db()
    assert cited_provision.status == ProvisionStatus.DRAFT


def test_bulk_actions_follow_the_workflow_rules(client, ready_provision, submitter, reviewer):
    client.force_login(submitter)
    assert _run_action(client, "submit", ready_provision) == ["1 provision submitted for review."]

    refused = _run_action(client, "publish", ready_provision)

    assert any("another curator must publish it" in message for message in refused)
    ready_provision.refresh_from_db()
    assert ready_provision.status == ProvisionStatus.IN_REVIEW

    client.force_login(reviewer)
    assert "1 provision published." in _run_action(client, "publish", ready_provision)
    ready_provision.refresh_from_db()
    assert ready_provision.status == ProvisionStatus.PUBLISHED
    assert ready_provision.history.first().history_user == reviewer


@pytest.mark.parametrize(
    "field_name, make, term",
    [
        ("categories", lambda: CategoryFactory(name="Data rights"), "Data rights"),
        ("document", lambda: DocumentFactory(title="Acme Terms of Service"), "Acme Terms"),
        ("regulations", lambda: RegulationFactory(name="Colorado AI Act"), "Colorado"),
    ],
)
def test_provision_autocomplete_fields_answer(curator_client, field_name, make, term):
    make()
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": term,
            "app_label": "provisions",
            "model_name": "provision",
            "field_name": field_name,
        },
    )

    assert response.status_code == 200
    assert response.json()["results"], response.content


def test_provision_changelist_has_no_date_hierarchy(curator_client):
    # A date hierarchy reads the dates of every provision on each page view.
    ProvisionFactory()

    response = curator_client.get(reverse("admin:provisions_provision_changelist"))

    assert response.context["cl"].date_hierarchy is None
