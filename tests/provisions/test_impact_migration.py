"""The move of provision impact from the documents app to the provisions app keeps the rows
that were there: each hangs off the change event the migration writes for its version."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("documents", "0002_pipeline_state"), ("provisions", "0004_provision_page_indexes")]
AFTER = [("documents", "0004_provision_impact_moved")]
CHANGE_SUMMARY = {
    "from_number": 1,
    "sections_added": ["Your rights"],
    "sections_removed": [],
    "sections_renamed": [],
    "sections_reworded": [{"heading": "Fees", "words_added": 1, "words_removed": 1}],
    "words_added": 6,
    "words_removed": 1,
}
ASSESSED_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    """Migrates the database back to the latest migrations once the test is done: the tests
    that run after this one in the same process expect every table and column."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_impacts_move_with_a_change_event_for_every_recorded_change():
    apps = migrate(BEFORE)
    platform = apps.get_model("platforms", "Platform").objects.create(name="Zoom", slug="zoom")
    document = apps.get_model("documents", "Document").objects.create(
        platform=platform,
        title="Terms",
        slug="terms",
        doc_type="terms_of_service",
        record_id="CA-D-00001",
        source_url="https://example.com/terms",
    )
    Version = apps.get_model("documents", "DocumentVersion")

    def version(number, kind, text, change_summary):
        return Version.objects.create(
            document=document,
            number=number,
            kind=kind,
            captured_at=datetime(2025, 1, number, tzinfo=UTC),
            text=text,
            text_sha256=f"{number:064d}",
            change_summary=change_summary,
        )

    first = version(1, "first_record", "# Terms\n\nOne two three.", {})
    change = version(2, "change", "# Terms\n\nOne two four.", CHANGE_SUMMARY)
    reextraction = version(3, "reextraction", "# Terms\n\nOne two four five.", CHANGE_SUMMARY)
    clause_type = apps.get_model("provisions", "ClauseType").objects.create(name="Data", slug="d")
    provision = apps.get_model("provisions", "Provision").objects.create(
        document=document,
        record_id="CA-P-000001",
        title="Licence",
        slug="licence",
        severity=2,
        clause_type=clause_type,
        clause_text="One two three.",
        summary="s",
        why_it_matters="w",
        consumer_impact="c",
    )
    OldImpact = apps.get_model("documents", "ProvisionImpact")
    for assessed in (change, reextraction):
        OldImpact.objects.create(
            version=assessed,
            provision=provision,
            status="reworded",
            similarity=0.8,
            closest_passage="One two four.",
        )
    OldImpact.objects.update(created_at=ASSESSED_AT)

    apps = migrate(AFTER)

    events = apps.get_model("documents", "ChangeEvent").objects.order_by("version__number")
    assert [
        (event.version_id, event.previous_version_id, event.created_at) for event in events
    ] == [(first.pk, None, first.captured_at), (change.pk, first.pk, change.captured_at)]
    assert events[0].summary["words_added"] == 4  # terms one two three
    assert events[1].summary == {
        "sections_added": ["Your rights"],
        "sections_removed": [],
        "sections_reworded": ["Fees"],
        "words_added": 6,
        "words_removed": 1,
    }
    moved = apps.get_model("provisions", "ProvisionImpact").objects.get()
    assert (moved.change_event_id, moved.provision_id) == (events[1].pk, provision.pk)
    assert (moved.status, moved.similarity, moved.closest_passage, moved.created_at) == (
        "reworded",
        0.8,
        "One two four.",
        ASSESSED_AT,
    )
    assert "documents_provisionimpact" not in connection.introspection.table_names()
