"""The `clip` filter cuts text exactly as truncatechars does, only faster."""

import pytest
from django.template.defaultfilters import truncatechars

from apps.core.templatetags.site_tags import clip

TEXTS = [
    "",
    "Short.",
    "x" * 200,
    "x" * 201,
    "The platform may use your content to train its models. " * 8,
    "L’entreprise peut résilier votre compte à tout moment, sans préavis. " * 5,
    "e\u0301" * 150,  # combining accents: truncatechars does not count them
    "Cafe\u0301",  # not in NFC: truncatechars normalises it
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("length", [1, 13, 155, 200])
def test_clip_is_truncatechars(text, length):
    assert clip(text, length) == truncatechars(text, length)
