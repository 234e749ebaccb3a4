import pytest

from apps.provisions.clause_text import clause_found_in
from apps.provisions.forms import ProvisionAdminForm
from tests.factories import ClauseTypeFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db

VERSION_TEXT = (
    "# Terms\n\n**4. Licence.** You grant us a worldwide,\n"
    "royalty-free licence to your\u00a0content."
)


def _form(**overrides) -> ProvisionAdminForm:
    version = DocumentVersionFactory(text=VERSION_TEXT)
    data = {
        "document": version.document.pk,
        "title": "Content licence",
        "slug": "content-licence",
        "severity": "2",
        "clause_type": ClauseTypeFactory().pk,
        "clause_text": "You grant us a worldwide, royalty-free licence to your content.",
        "cited_version": version.pk,
        "summary": "A licence.",
        "why_it_matters": "It is broad.",
        "consumer_impact": "Your posts can be reused.",
    }
    data.update(overrides)
    return ProvisionAdminForm(data=data)


def test_a_complete_provision_is_valid_even_when_line_breaks_differ():
    form = _form()

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("field", ["severity", "clause_type"])
def test_severity_and_clause_type_are_required(field):
    form = _form(**{field: ""})

    assert not form.is_valid()
    assert field in form.errors


def test_a_clause_not_in_the_cited_version_is_a_form_error():
    form = _form(clause_text="You grant us a perpetual licence to your content.")

    assert not form.is_valid()
    assert "does not appear in the cited version" in form.errors["clause_text"][0]


def test_a_clause_without_a_cited_version_is_not_checked():
    form = _form(cited_version="", clause_text="Quoted from a page we have not archived.")

    assert form.is_valid(), form.errors


def test_the_workflow_fields_are_not_editable():
    assert {"status", "published_at", "record_id"}.isdisjoint(_form().fields)


@pytest.mark.parametrize(
    "clause, found",
    [
        ("royalty-free licence to your content.", True),
        ("royalty-free  licence\nto your content.", True),
        ("royalty free licence", False),
        ("   ", False),
    ],
)
def test_clause_matching_tolerates_whitespace_only(clause, found):
    text = "You grant us a worldwide,\nroyalty-free licence to your\u00a0content."

    assert clause_found_in(clause_text=clause, text=text) is found
