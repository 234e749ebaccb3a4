"""The regulatory mapping of a watchlist: the matrix and its cells' memo points, the filters and
their errors, CSV and Excel read back, the teaser or 403 for plans without it, the query budget."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.provisions.models import ProvisionStatus, Severity
from tests.factories import (
    ClauseTypeFactory,
    DocumentFactory,
    PlatformFactory,
    ProvisionFactory,
    RegulationFactory,
)
from tests.tiers import TIERS, csrf_client, member_on_plan

pytestmark = pytest.mark.django_db

GDPR_POINT = "Processing for training needs a lawful basis under GDPR Art. 6."


@pytest.fixture
def watchlist():
    """An organization tracking Acme (two provisions, one mapped to GDPR and CCPA, one mapped to
    nothing) and one clause of Zed mapped to CCPA; a provision outside the watchlist and a
    draft on it must never appear."""
    user, organization = member_on_plan("professional")
    gdpr = RegulationFactory(
        name="General Data Protection Regulation",
        short_name="GDPR",
        slug="gdpr",
        jurisdiction="European Union",
    )
    ccpa = RegulationFactory(
        name="California Consumer Privacy Act", short_name="CCPA", slug="ccpa", jurisdiction="US-CA"
    )
    acme = PlatformFactory(name="Acme", slug="acme")
    terms = DocumentFactory(platform=acme)
    training = ClauseTypeFactory(name="Training on user data", slug="training")
    mapped = ProvisionFactory(
        document=terms,
        title="MAPPED training clause",
        severity=Severity.HIGH,
        clause_type=training,
        regulatory_framework=f"{GDPR_POINT} The FTC watches such claims.",
        compliance_considerations="Map the data flows. Update the notice.",
    )
    mapped.regulations.add(gdpr, ccpa)
    unmapped = ProvisionFactory(document=terms, title="UNMAPPED clause", severity=Severity.LOW)
    zed_clause = ProvisionFactory(
        document=DocumentFactory(platform=PlatformFactory(name="Zed", slug="zed")),
        title="ZED tracked clause",
        compliance_considerations="Review the vendor contract. Keep records. Ask for audits. "
        "Fourth point.",
    )
    zed_clause.regulations.add(ccpa)
    outside = ProvisionFactory(title="OUTSIDE clause")
    outside.regulations.add(gdpr)
    draft = ProvisionFactory(
        document=terms, title="DRAFT clause", status=ProvisionStatus.DRAFT, published_at=None
    )
    draft.regulations.add(gdpr)
    WatchedPlatform.objects.create(organization=organization, platform=acme)
    WatchedProvision.objects.create(organization=organization, provision=zed_clause)
    return {
        "user": user,
        "organization": organization,
        "mapped": mapped,
        "unmapped": unmapped,
        "zed": zed_clause,
    }


def urls(organization) -> dict[str, str]:
    return {
        name: reverse(f"workspace_org:{name}", kwargs={"org_slug": organization.slug})
        for name in ("mapping", "mapping_csv", "mapping_xlsx")
    }


def test_the_matrix_puts_the_watchlists_provisions_against_their_regulations(watchlist):
    html = csrf_client(watchlist["user"]).get(urls(watchlist["organization"])["mapping"])
    assert html.status_code == 200
    page = html.content.decode()
    matrix = page[page.index('id="mapping-matrix"') :]
    # Columns by jurisdiction: the EU's GDPR, then California's CCPA.
    assert matrix.index("General Data Protection Regulation") < matrix.index("US-CA")
    assert "MAPPED training clause" in matrix and "UNMAPPED clause" in matrix
    assert "ZED tracked clause" in matrix
    assert "OUTSIDE clause" not in page and "DRAFT clause" not in page
    gdpr_cell = matrix[matrix.index('data-regulation="gdpr"') :]
    assert GDPR_POINT in gdpr_cell[: gdpr_cell.index("</td>")]
    # Zed's memo names no regulation: its general compliance points stand in, at most three.
    zed_row = matrix[matrix.index("ZED tracked clause") :]
    zed_ccpa = zed_row[zed_row.index('data-regulation="ccpa"') :]
    zed_ccpa = zed_ccpa[: zed_ccpa.index("</td>")]
    assert "General points:" in zed_ccpa and "Ask for audits." in zed_ccpa
    assert "Fourth point." not in zed_ccpa


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ({"regulation": "gdpr"}, ["MAPPED training clause"], ["ZED", "UNMAPPED", "US-CA"]),
        ({"jurisdiction": "US-CA"}, ["MAPPED training", "ZED"], ["UNMAPPED", "European Union"]),
        ({"severity": "high"}, ["MAPPED training clause"], ["ZED", "UNMAPPED"]),
        ({"clause_type": "training"}, ["MAPPED training clause"], ["ZED", "UNMAPPED"]),
    ],
)
def test_filters_narrow_the_matrix(watchlist, query, present, absent):
    page = csrf_client(watchlist["user"]).get(urls(watchlist["organization"])["mapping"], query)
    matrix = page.content.decode().split('id="mapping-matrix"', 1)[1]
    for text in present:
        assert text in matrix, text
    for text in absent:
        assert text not in matrix, text


@pytest.mark.parametrize(
    "query",
    [{"regulation": "no-such-act"}, {"severity": "catastrophic"}, {"jurisdiction": "Mars"}],
)
def test_bad_filters_are_explained_not_a_500(watchlist, query):
    client = csrf_client(watchlist["user"])
    page = client.get(urls(watchlist["organization"])["mapping"], query)
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    for name in ("mapping_csv", "mapping_xlsx"):
        export = client.get(urls(watchlist["organization"])[name], query)
        assert export.status_code == 400
        assert "Select a valid choice" in export.content.decode()


def test_the_csv_export_reads_back_one_row_per_mapped_cell(watchlist):
    response = csrf_client(watchlist["user"]).get(urls(watchlist["organization"])["mapping_csv"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["provision"], row["regulation"]) for row in rows] == [
        ("MAPPED training clause", "General Data Protection Regulation"),
        ("MAPPED training clause", "California Consumer Privacy Act"),
        ("ZED tracked clause", "California Consumer Privacy Act"),
    ]
    first = rows[0]
    assert first["record_id"] == watchlist["mapped"].record_id
    assert first["platform"] == "Acme" and first["severity"] == "High"
    assert first["jurisdiction"] == "European Union"
    assert first["points"] == GDPR_POINT and first["points_are_general"] == "no"
    assert rows[2]["points_are_general"] == "yes"
    assert first["provision_url"].endswith(watchlist["mapped"].get_absolute_url())


def test_the_excel_export_reads_back_as_the_list_and_the_matrix(watchlist):
    response = csrf_client(watchlist["user"]).get(
        urls(watchlist["organization"])["mapping_xlsx"], {"jurisdiction": "US-CA"}
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Mapping", "Matrix"]
    listing = list(workbook["Mapping"].iter_rows(values_only=True))
    assert listing[0][:4] == ("platform", "document", "record_id", "provision")
    assert [(row[3], row[6]) for row in listing[1:]] == [
        ("MAPPED training clause", "California Consumer Privacy Act"),
        ("ZED tracked clause", "California Consumer Privacy Act"),
    ]
    matrix = list(workbook["Matrix"].iter_rows(values_only=True))
    assert matrix[0] == ("provision", "record_id", "California Consumer Privacy Act (US-CA)")
    assert matrix[1][0] == "Acme: MAPPED training clause"
    assert "Review the vendor contract." in matrix[2][2]


def test_a_cell_that_looks_like_a_formula_is_exported_as_text(watchlist):
    watchlist["zed"].title = '=HYPERLINK("http://evil.example")'
    watchlist["zed"].save()
    response = csrf_client(watchlist["user"]).get(urls(watchlist["organization"])["mapping_csv"])
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[-1]["provision"].startswith("'=")


@pytest.mark.parametrize("tier", TIERS)
def test_tiers_get_the_mapping_or_its_teaser_and_the_files_or_a_403(tier, watchlist):
    if tier == "visitor":
        client, organization = csrf_client(), watchlist["organization"]
    else:
        user, organization = member_on_plan(tier)
        WatchedPlatform.objects.create(
            organization=organization, platform=watchlist["mapped"].document.platform
        )
        client = csrf_client(user)
    page = client.get(urls(organization)["mapping"])
    files = [client.get(urls(organization)[name]) for name in ("mapping_csv", "mapping_xlsx")]
    if tier == "visitor":
        assert page.status_code == 302 and reverse("account_login") in page["Location"]
        assert all(response.status_code == 302 for response in files)
        return
    html = page.content.decode()
    assert page.status_code == 200
    if tier == "professional":
        assert 'id="mapping-matrix"' in html and GDPR_POINT in html
        assert [response.status_code for response in files] == [200, 200]
    else:
        assert 'id="mapping-teaser"' in html and 'data-plan="professional"' in html
        assert "MAPPED training clause" not in html and GDPR_POINT not in html
        assert [response.status_code for response in files] == [403, 403]
        assert all(r["Content-Type"].startswith("text/html") for r in files)


def test_the_mapping_page_runs_a_fixed_number_of_queries(watchlist, django_assert_max_num_queries):
    client = csrf_client(watchlist["user"])
    url = urls(watchlist["organization"])["mapping"]
    client.get(url)
    regulations = [RegulationFactory(jurisdiction=f"J{number}") for number in range(8)]
    for number in range(30):
        provision = ProvisionFactory(document=watchlist["mapped"].document)
        provision.regulations.add(*regulations[: number % 8 + 1])
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="mapping-cell"') >= 30
