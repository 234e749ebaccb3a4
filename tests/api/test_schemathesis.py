"""Schemathesis over the whole OpenAPI schema, against a live server, as a visitor and with a
key of each plan: no server error and no response the schema does not describe (status, content
type, headers, body). Examples are bounded and derandomised so the run is short and repeatable."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from apps.documents.models import ChangeEvent
from tests.api.conftest import caller_on_plan
from tests.billing.helpers import default_plans_restore
from tests.factories import (
    AgencyFactory,
    DocumentVersionFactory,
    ProvisionFactory,
    RegulationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 4
PAID_TIERS = ("free", "watcher", "professional")


def _catalog():
    version = DocumentVersionFactory(number=1)
    ChangeEvent.objects.create(document=version.document, version=version)
    provision = ProvisionFactory(document=version.document)
    provision.regulations.add(RegulationFactory())
    AgencyFactory()


def _exercise(operation, *, base_url: str, caller) -> None:
    """Runs the operation's generated examples; raises the first failing one, shrunk."""
    headers = {"Authorization": f"Bearer {caller.secret}"} if caller else {}

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        if caller is not None and "org_slug" in case.path_parameters:
            # A key reaches its own organization's endpoints, so their handlers run; foreign
            # slugs are tests/api/test_organization.py's concern.
            case.path_parameters["org_slug"] = caller.organization.slug
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    exercise()


def test_the_whole_schema_holds_for_every_plan(live_server, settings):
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = 10**6
    settings.API_ANONYMOUS_REQUESTS_PER_DAY = 10**6
    default_plans_restore()
    _catalog()
    callers = {"visitor": None, **{tier: caller_on_plan(tier) for tier in PAID_TIERS}}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    failures = []
    operations = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for tier, caller in callers.items():
            try:
                _exercise(operation, base_url=live_server.url, caller=caller)
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"{tier} {operation.label}: {error}")

    assert operations >= 20
    assert failures == []
