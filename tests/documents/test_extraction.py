"""Extraction against the real corpus (raw HTML snapshots with each document's own selectors,
compared to the version the Open Terms Archive recorded from them) and against bad input."""

import difflib
import re

import pytest

from apps.documents.extraction import ExtractionError, extract_text
from tests.documents.pipeline_helpers import corpus_bytes, corpus_meta

IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
ATX_HEADING = re.compile(r"#{1,6}\s+(.*)")
SETEXT_UNDERLINE = re.compile(r"=+|-+")
PARAGRAPH = "<p>" + "These terms govern your use of the service and its features. " * 8 + "</p>"


def words(markdown: str) -> list[str]:
    # Images are left out on purpose (their URLs churn, they hold no terms).
    return re.findall(r"[^\W_]+", IMAGE.sub(" ", markdown).lower())


def word_similarity(ours: str, reference: str) -> float:
    return difflib.SequenceMatcher(None, words(ours), words(reference), autojunk=False).ratio()


def headings(markdown: str) -> list[str]:
    """Heading texts, ATX (``## x``) or setext (``x`` over ``===``), punctuation dropped."""
    lines = markdown.split("\n")
    found = []
    for number, line in enumerate(lines):
        atx = ATX_HEADING.fullmatch(line)
        if atx:
            found.append(atx.group(1))
        elif number and SETEXT_UNDERLINE.fullmatch(line) and lines[number - 1].strip():
            found.append(lines[number - 1])
    return [re.sub(r"\W+", " ", heading).strip().lower() for heading in found]


def rule_for(document: str, snapshot_file: str) -> tuple[list[str], list[str], str]:
    """The archive's select/remove selectors for one snapshot, and the URL it came from."""
    meta = corpus_meta(document)
    declaration = meta["current_declaration"]["declaration"]
    snapshot = next(s for s in meta["snapshots"] if s.get("file") == snapshot_file)
    select, remove = declaration.get("select"), declaration.get("remove", [])
    for part in declaration.get("combine", []):
        if part["fetch"] == snapshot["source_url"]:
            select, remove = part.get("select", select), part.get("remove", remove)
    select = [select] if isinstance(select, str) else select
    return select, remove, snapshot["source_url"]


def extract_snapshot(document: str, snapshot_file: str) -> str:
    select, remove, source_url = rule_for(document, snapshot_file)
    return extract_text(
        corpus_bytes(document, snapshot_file),
        "text/html",
        select=select,
        remove=remove,
        base_url=source_url,
    )


@pytest.mark.parametrize(
    ("document", "version", "snapshots"),
    [
        # combined from two pages, with remove selectors
        ("chatgpt__terms-of-service", "v008.md", ["snapshot_001.html", "snapshot_002.html"]),
        ("claude-ai__terms-of-service", "v006.md", ["snapshot_002.html"]),
        ("cursor__privacy-policy", "v008.md", ["snapshot_002.html"]),
        (
            "google-generative-ai-services__terms-of-service",
            "v007.md",
            ["snapshot_001.html", "snapshot_002.html"],
        ),
        # remove selector with a pseudo-class; sibling combinator in select
        ("grok__terms-of-service", "v008.md", ["snapshot_002.html"]),
        ("microsoft-copilot__terms-of-service", "v008.md", ["snapshot_002.html"]),
        ("midjourney__terms-of-service", "v008.md", ["snapshot_002.html"]),
        ("lovable__terms-of-service", "v008.md", ["snapshot_002.html"]),
    ],
)
def test_corpus_snapshots_extract_to_the_archived_version(document, version, snapshots):
    ours = "\n\n".join(extract_snapshot(document, snapshot) for snapshot in snapshots)
    reference = corpus_bytes(document, version).decode()

    assert word_similarity(ours, reference) > 0.99
    our_headings = headings(ours)
    assert [h for h in headings(reference) if h not in our_headings] == []
    assert all(not line.startswith("*   ") for line in ours.split("\n"))  # "-" bullets


def test_the_main_content_extractor_finds_the_body_without_selectors():
    html = corpus_bytes("xai__privacy-policy", "snapshot_002.html")
    reference = corpus_bytes("xai__privacy-policy", "v008.md").decode()

    ours = extract_text(html, "text/html", select=[], remove=[])

    assert word_similarity(ours, reference) > 0.99
    assert headings(ours) == headings(reference)
    assert "## **1. About xAI and Grok**" in ours
    assert extract_text(html, "text/html", select=[], remove=[]) == ours  # deterministic


def test_the_archived_rule_no_longer_matches_an_older_page():
    select, remove, _ = rule_for("grok__terms-of-service", "snapshot_002.html")
    older_page = corpus_bytes("grok__terms-of-service", "snapshot_001.html")

    with pytest.raises(ExtractionError, match="matches nothing"):
        extract_text(older_page, "text/html", select=select, remove=remove)


def test_every_select_selector_must_match():
    html = f"<html><body><main>{PARAGRAPH}</main></body></html>".encode()

    assert extract_text(html, "text/html", select=["main"], remove=[])
    with pytest.raises(ExtractionError, match="'#terms' matches nothing"):
        extract_text(html, "text/html", select=["main", "#terms"], remove=[])


def test_a_remove_selector_that_matches_nothing_is_fine():
    html = f"<html><body><main>{PARAGRAPH}</main></body></html>".encode()

    assert extract_text(html, "text/html", select=["main"], remove=[".cookie-banner"])


@pytest.mark.parametrize("selector", ["main[", "p:unknown-pseudo", "!!"])
def test_an_invalid_selector_is_an_error(selector):
    html = f"<html><body><main>{PARAGRAPH}</main></body></html>".encode()

    with pytest.raises(ExtractionError, match="invalid CSS selector"):
        extract_text(html, "text/html", select=[selector], remove=[])


def test_selected_html_becomes_markdown_with_headings_lists_and_links():
    html = (
        "<html><body><nav>Menu</nav><main><h1>Terms</h1><h2>Scope</h2>"
        f"{PARAGRAPH}<ul><li>first</li><li>second</li></ul><ol><li>one</li><li>two</li></ol>"
        '<p>See <a href="/privacy">our policy</a>, <a href="#scope">Scope</a> and '
        '<a href="javascript:void(0)">settings</a>.</p></main></body></html>'
    ).encode()

    text = extract_text(
        html, "text/html", select=["main"], remove=[], base_url="https://example.com/terms"
    )

    assert text.startswith("# Terms\n\n## Scope\n\n")
    assert "- first\n- second" in text
    assert "1. one\n2. two" in text
    assert "[our policy](https://example.com/privacy)" in text
    assert "[Scope](#scope)" in text
    assert "settings" in text
    assert "javascript" not in text
    assert "Menu" not in text


def test_the_page_base_element_resolves_links():
    html = (
        '<html><head><base href="https://cdn.example.com/legal/"></head><body><main>'
        f'{PARAGRAPH}<a href="privacy">Privacy</a></main></body></html>'
    ).encode()

    text = extract_text(
        html, "text/html", select=["main"], remove=[], base_url="https://example.com/terms"
    )

    assert "[Privacy](https://cdn.example.com/legal/privacy)" in text


def test_matches_are_kept_in_document_order_without_nested_duplicates():
    html = (
        "<html><body>"
        f'<section id="a"><h2>First</h2>{PARAGRAPH}<div class="part"><p>Inner</p></div></section>'
        f'<section id="b"><h2>Second</h2>{PARAGRAPH}</section>'
        "</body></html>"
    ).encode()

    text = extract_text(html, "text/html", select=["#b", "#a", ".part"], remove=[])

    assert text.index("First") < text.index("Second")
    assert text.count("Inner") == 1


def test_remove_selectors_and_non_content_elements_are_dropped():
    html = (
        "<html><head><style>p { color: red }</style></head><body><main>"
        '<div class="banner">We use cookies</div><script>track("visit")</script>'
        f"<noscript>Enable JavaScript</noscript><h1>Terms</h1>{PARAGRAPH}"
        '<img src="https://cdn.example.com/logo.png?token=1" alt="Logo">'
        "</main></body></html>"
    ).encode()

    text = extract_text(html, "text/html", select=["main"], remove=[".banner"])

    for noise in ("cookies", "track", "color", "Enable JavaScript", "logo.png"):
        assert noise not in text


def test_a_space_held_only_by_an_emphasis_element_is_kept():
    html = (
        f"<html><body><main>{PARAGRAPH}<p>bypassing of product safeguards<strong> </strong>or "
        "restrictions</p></main></body></html>"
    ).encode()

    text = extract_text(html, "text/html", select=["main"], remove=[])

    assert "safeguards or restrictions" in text


def test_malformed_but_recoverable_html_extracts():
    html = (
        "<main><h1>Terms<h2>Scope</h1><p>These terms govern your use of the service "
        "<b>and its <i>features</b></i>. " * 10 + "</div></span><li>dangling item"
    ).encode()

    text = extract_text(html, "text/html", select=["main"], remove=[])

    assert "# Terms" in text
    assert "features" in text
    assert "dangling item" in text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body></body></html>",
        b"<html><body><div",
        b"<html><body><main><p>Access denied.</p></main></body></html>",
        b"\x00\x01\x02\xff\xfe" * 20,
    ],
)
def test_empty_or_near_empty_pages_are_errors(body):
    with pytest.raises(ExtractionError):
        extract_text(body, "text/html", select=[], remove=[])


@pytest.mark.parametrize("select", [["body"], []])
def test_absurdly_deep_nesting_is_an_error_not_a_crash(select):
    html = f"<html><body>{'<div>' * 1000}{PARAGRAPH}{'</div>' * 1000}</body></html>"

    with pytest.raises(ExtractionError):
        extract_text(html.encode(), "text/html", select=select, remove=[])


def test_the_near_empty_threshold_is_a_setting(settings):
    html = b"<html><body><main><p>" + b"Short terms. " * 10 + b"</p></main></body></html>"

    with pytest.raises(ExtractionError, match="129 characters"):
        extract_text(html, "text/html", select=["main"], remove=[])
    settings.EXTRACTION_MIN_CHARS = 50
    assert extract_text(html, "text/html", select=["main"], remove=[]).startswith("Short terms.")


def test_the_header_charset_decodes_html_without_a_meta_charset():
    html = f"<html><body><main><h1>Conditions générales</h1>{PARAGRAPH}</main></body></html>"

    text = extract_text(
        html.encode("cp1252"), "text/html", select=["main"], remove=[], charset="windows-1252"
    )

    assert text.startswith("# Conditions générales")


@pytest.mark.parametrize(
    ("body", "charset", "expected_start"),
    [
        ("Café terms. ".encode("latin-1") * 30, "ISO-8859-1", "Café terms."),
        ("\ufeff# Terms\r\n\r\n\r\n\r\nFirst rule. ".encode() * 30, None, "# Terms\n\nFirst"),
        ("Café terms. ".encode() * 30, "no-such-charset", "Café terms."),
    ],
)
def test_plain_text_and_markdown_pass_through(body, charset, expected_start):
    for content_type in ("text/plain", "text/markdown"):
        text = extract_text(body, content_type, select=["main"], remove=[], charset=charset)

        assert text.startswith(expected_start)


def make_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF showing ``lines`` in Helvetica."""
    shown = " ".join(f"({line}) '" for line in lines)
    content = f"BT /F1 11 Tf 72 740 Td 14 TL {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref_at = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n"
    pdf += trailer.encode() + b"%%EOF\n"
    return pdf


def test_pdf_becomes_text():
    lines = [
        f"Clause {n}: the provider may suspend accounts that break these terms." for n in range(8)
    ]

    text = extract_text(make_pdf(lines), "application/pdf", select=[], remove=[])

    assert text.split("\n") == lines


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.4\nnot really a pdf", b"plain bytes", make_pdf(["Clause one."])[:120]],
)
def test_an_unreadable_pdf_is_an_error(body):
    with pytest.raises(ExtractionError):
        extract_text(body, "application/pdf", select=[], remove=[])


def test_an_unsupported_content_type_is_an_error():
    with pytest.raises(ExtractionError, match="image/png"):
        extract_text(b"\x89PNG\r\n", "image/png", select=[], remove=[])


def test_a_link_without_text_reads_as_nothing_not_as_its_label_or_address():
    html = (
        f'<html><body><main>{PARAGRAPH}<p><a href="/home" aria-label="Go to homepage">'
        '<svg role="img" aria-label="Logo"><path d="M0 0"/></svg></a> Terms '
        '<a href="/faq" title="Questions">FAQ</a></p></main></body></html>'
    ).encode()

    text = extract_text(
        html, "text/html", select=["main"], remove=[], base_url="https://example.com/terms"
    )

    assert text.endswith("Terms [FAQ](https://example.com/faq)")
    for label in ("homepage", "Logo", "example.com/home", "Questions"):
        assert label not in text


def test_a_paragraph_that_looks_like_a_list_item_or_heading_reads_as_written():
    html = (
        f"<html><body><main>{PARAGRAPH}<p>1. Who can use</p><p># Not a heading</p>"
        "</main></body></html>"
    ).encode()

    text = extract_text(html, "text/html", select=["main"], remove=[])

    # As the stored versions were converted: no escapes the converter would add.
    assert text.endswith("\n\n1. Who can use\n\n# Not a heading")


def test_the_selected_part_is_kept_whole_navigation_and_hidden_parts_included():
    html = (
        f"<html><body><main><nav>Sections: scope, fees</nav>{PARAGRAPH}"
        "<div hidden>Annex: fees apply.</div><form><label>Region</label></form>"
        "</main></body></html>"
    ).encode()

    text = extract_text(html, "text/html", select=["main"], remove=[])

    for part in ("Sections: scope, fees", "Annex: fees apply.", "Region"):
        assert part in text
