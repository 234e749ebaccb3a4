import pytest

from apps.documents.extraction import ExtractionError, extract_text
from tests.documents.pipeline_helpers import corpus_bytes

PARAGRAPH = "<p>" + "These terms govern your use of the service and its features. " * 8 + "</p>"


def test_selected_html_becomes_markdown_with_headings_lists_and_links():
    html = (
        "<html><body><nav>Menu</nav><main><h1>Terms</h1><h2>Scope</h2>"
        f"{PARAGRAPH}<ul><li>first</li><li>second</li></ul>"
        '<p>See <a href="/privacy">our policy</a>.</p></main></body></html>'
    ).encode()

    text = extract_text(
        html, "text/html", select=["main"], remove=[], base_url="https://example.com/terms"
    )

    assert text.startswith("# Terms\n\n## Scope\n\n")
    assert "- first\n- second" in text
    assert "[our policy](https://example.com/privacy)" in text
    assert "Menu" not in text


def test_a_selector_that_matches_nothing_is_an_error():
    html = corpus_bytes("grok__terms-of-service", "snapshot_001.html")

    with pytest.raises(ExtractionError, match="matches nothing"):
        extract_text(html, "text/html", select=["body > header + section"], remove=[])
