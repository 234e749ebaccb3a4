"""reverse_slugs gives what reverse() gives, at the cost of a string format."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from apps.core.reversing import reverse_slugs

SLUG_URLS = [
    ("platforms:platform_detail", {"platform_slug": "luma-ai"}),
    ("platforms:document_detail", {"platform_slug": "luma-ai", "document_slug": "terms_2"}),
    (
        "platforms:provision_detail",
        {"platform_slug": "x", "document_slug": "terms", "provision_slug": "output-licence"},
    ),
    ("provisions:clause_type_detail", {"slug": "arbitration"}),
    ("regulations:regulation_detail", {"slug": "gdpr"}),
]


@pytest.mark.parametrize(("viewname", "slugs"), SLUG_URLS)
def test_the_url_is_reverses_own(viewname, slugs):
    assert reverse_slugs(viewname, **slugs) == reverse(viewname, kwargs=slugs)
    # Again, from the remembered pattern.
    assert reverse_slugs(viewname, **slugs) == reverse(viewname, kwargs=slugs)


def test_the_script_prefix_is_followed():
    expected = reverse_slugs("platforms:platform_detail", platform_slug="zoom")
    set_script_prefix("/atlas/")
    try:
        assert reverse_slugs("platforms:platform_detail", platform_slug="zoom") == (
            "/atlas" + expected
        )
    finally:
        clear_script_prefix()
    assert reverse_slugs("platforms:platform_detail", platform_slug="zoom") == expected


@pytest.mark.parametrize("value", ["not a slug", "a/b", "", "{slug}"])
def test_a_value_that_is_not_a_slug_is_refused_as_reverse_refuses_it(value):
    with pytest.raises(NoReverseMatch):
        reverse_slugs("platforms:platform_detail", platform_slug=value)
