"""The OpenAPI document: served at /api/v1/schema/, every endpoint described with its errors in
the one error shape, and the interactive docs page."""

import pytest
import yaml
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_operation_is_documented_with_its_errors(schema):
    assert schema["openapi"].startswith("3.")
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        label = f"{method.upper()} {path}"
        assert operation.get("summary"), label
        for status in ("401", "403", "429"):
            assert status in operation["responses"], f"{label} lacks {status}"
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference.endswith("/Error"), f"{label} {status}"
        if "{" in path:
            assert "404" in operation["responses"], label
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert parameter.get("description"), f"{label} ?{parameter['name']}"


def test_the_docs_page_loads(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
