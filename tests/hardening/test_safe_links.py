"""Catalog URLs: the models refuse any scheme but http(s), and pages never render another
scheme as a link, however the URL reached the database (import, script, fixture)."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from apps.core.templatetags.safe_links import safe_href
from apps.core.validators import validate_http_url
from apps.documents.models import ArchivedSnapshot, Document, DocumentVersion
from apps.platforms.models import Platform
from apps.regulations.models import Agency, Regulation
from tests.factories import (
    AgencyFactory,
    DocumentFactory,
    DocumentVersionFactory,
    PlatformFactory,
    ProvisionFactory,
    RegulationFactory,
)
from tests.tiers import csrf_client

SCRIPT_URL = "javascript:alert(document.cookie)"


@pytest.mark.parametrize(
    "url",
    [
        SCRIPT_URL,
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.test/terms.txt",
        "file:///etc/passwd",
        "//example.test/terms",
        "/relative/path",
    ],
)
def test_the_shared_validator_refuses_every_scheme_but_http(url):
    with pytest.raises(ValidationError):
        validate_http_url(url)


@pytest.mark.parametrize("url", ["https://example.test/terms", "http://example.test/"])
def test_the_shared_validator_accepts_http_and_https(url):
    validate_http_url(url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Platform, "website"),
        (Platform, "logo_url"),
        (Regulation, "reference_url"),
        (Agency, "complaint_url"),
        (Document, "source_url"),
        (ArchivedSnapshot, "final_url"),
        (DocumentVersion, "archive_url"),
    ],
)
def test_catalog_models_refuse_a_script_url_on_full_clean(model, field):
    factory = {
        Platform: PlatformFactory,
        Regulation: RegulationFactory,
        Agency: AgencyFactory,
        Document: DocumentFactory,
        DocumentVersion: DocumentVersionFactory,
    }.get(model)
    # Django's own URLValidator would let ftp:// through; the shared validator does not.
    for url in (SCRIPT_URL, "ftp://files.example.test/terms.txt"):
        record = factory.build(**{field: url}) if factory else model(**{field: url})
        with pytest.raises(ValidationError) as refused:
            record.full_clean()
        assert field in refused.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        SCRIPT_URL,
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "jav\nascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "https:alert(1)",
        "",
        None,
    ],
)
def test_safe_href_turns_anything_but_http_into_a_dead_link(url):
    assert safe_href(url) == "#"


def test_safe_href_keeps_http_links_and_the_template_still_escapes_them():
    assert safe_href("https://example.test/a?b=1") == "https://example.test/a?b=1"
    rendered = Template('{% load safe_links %}<a href="{{ url|safe_href }}">').render(
        Context({"url": 'https://example.test/"onmouseover="x'})
    )
    assert rendered == '<a href="https://example.test/&quot;onmouseover=&quot;x">'


@pytest.mark.django_db
def test_pages_render_no_script_link_from_catalog_urls():
    """Each URL is written the way an import would, bypassing full_clean."""
    platform = PlatformFactory(website=SCRIPT_URL)
    document = DocumentFactory(platform=platform, source_url=SCRIPT_URL)
    DocumentVersionFactory(document=document, archive_url=SCRIPT_URL)
    regulation = RegulationFactory(reference_url=SCRIPT_URL)
    agency = AgencyFactory(complaint_url=SCRIPT_URL)
    provision = ProvisionFactory(document=document)
    provision.agencies.add(agency)

    client = csrf_client()
    for url in (
        platform.get_absolute_url(),
        document.get_absolute_url(),
        regulation.get_absolute_url(),
        provision.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'href="javascript:' not in html, url
        assert 'href="#"' in html, url
