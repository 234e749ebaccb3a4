"""Turns fetched bytes into the document's text, as Markdown.

HTML: the ``remove`` selectors are dropped, then the ``select`` selectors' matches are kept in
document order and converted to Markdown (headings, lists, links, tables): lxml parses and
selects, html-to-markdown's compiled converter writes the Markdown. Without ``select`` a
main-content extractor (trafilatura) finds the body. Plain text and Markdown pass through;
PDF becomes its text. Anything that yields (nearly) nothing raises ExtractionError: a page that
lost its text, or a selector that no longer matches, is a fetch failure, never a new version.
"""

import re
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import html_to_markdown
import lxml.etree
import lxml.html
import trafilatura
from bs4.dammit import UnicodeDammit
from cssselect import SelectorError
from django.conf import settings
from django.utils.http import parse_header_parameters
from lxml.cssselect import CSSSelector
from pypdf import PdfReader

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
PDF_TYPE = "application/pdf"

# Never part of a document's text, whatever the selectors say.
_NON_CONTENT_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed"]
_INLINE_EMPHASIS_TAGS = ["strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "code"]
_UNSAFE_LINK_SCHEMES = frozenset({"javascript", "data", "vbscript"})
_BLANK_LINES = re.compile(r"\n{3,}")


class ExtractionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ATX headings, "-" bullets, hard line breaks as backslashes (trailing spaces would be trimmed
# away), images dropped (their URLs churn and carry no terms), and a link always written as
# its own text: these give, after normalisation, exactly the words and headings of the
# markdownify conversion the stored versions were made with (checked on the whole corpus), so
# no fingerprint moved with the converter.
_MARKDOWN_OPTIONS = html_to_markdown.ConversionOptions(
    heading_style="atx",
    bullets="-",
    newline_style="backslash",
    skip_images=True,
    autolinks=False,
    expand_abbreviations=False,
    include_blockquote_citations=False,
    extract_metadata=False,
    # The selectors decide what is the document: no element is dropped as navigation, form or
    # hidden (collapsed sections and tab panels are still the document's text).
    preprocessing=html_to_markdown.PreprocessingOptions(enabled=False),
    hidden_content="all",
)
# html-to-markdown escapes a paragraph's leading "1." or "#" so no reader takes it for a list
# or a heading; markdownify did not, and normalisation reads "1\." as a word and "\#" as no
# heading. Undone, the text reads as it always did.
_LINE_START_ESCAPE = re.compile(r"^([ \t]*)\\([#+>-])|^([ \t]*\d+)\\([.)])", re.MULTILINE)


def _line_start_unescape(markdown: str) -> str:
    # Only lines holding a backslash can hold an escape; the pattern never spans lines, and
    # tried at every position of a long text it costs more than the conversion's other steps.
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if "\\" in line:
            lines[index] = _LINE_START_ESCAPE.sub(_unescaped, line)
    return "\n".join(lines)


def _unescaped(match: re.Match) -> str:
    return (match[1] or "") + (match[2] or "") + (match[3] or "") + (match[4] or "")


def extract_text(
    body: bytes,
    content_type: str,
    *,
    select: list[str],
    remove: list[str],
    charset: str | None = None,
    base_url: str | None = None,
) -> str:
    """The text of a fetched document as Markdown. ``select`` and ``remove`` are CSS selectors
    (HTML only); ``charset`` comes from the HTTP header; ``base_url`` (the final URL of the
    fetch) makes relative links absolute. Raises ExtractionError."""
    media_type, _ = parse_header_parameters(content_type)
    if media_type in HTML_TYPES:
        text = _html_to_markdown(
            body,
            select=_clean_selectors(select),
            remove=_clean_selectors(remove),
            charset=charset,
            base_url=base_url,
        )
    elif media_type in TEXT_TYPES:
        text = _decode(body, charset)
    elif media_type == PDF_TYPE:
        text = _pdf_to_text(body)
    else:
        raise ExtractionError(f"cannot extract text from {media_type or 'an untyped body'}")
    text = _tidy(text)
    _require_substance(text)
    return text


def _clean_selectors(selectors: list[str]) -> list[str]:
    return [selector.strip() for selector in selectors if selector.strip()]


def _html_to_markdown(
    body: bytes,
    *,
    select: list[str],
    remove: list[str],
    charset: str | None,
    base_url: str | None,
) -> str:
    removers = [_selector(selector) for selector in remove]
    if not select:
        return _main_content(body, removers=removers, charset=charset, base_url=base_url)
    matchers = [_selector(selector) for selector in select]
    root = _parse(body, charset)
    if root is not None:
        _drop_non_content(root, removers)
        _absolutise_links(root, base_url)
        _keep_blank_emphasis_as_spaces(root)
    for selector, matcher in zip(select, matchers, strict=True):
        if root is None or not matcher(root):
            raise ExtractionError(f"selector {selector!r} matches nothing on the page")
    # An image is dropped with its element; a title or an accessible label never stands in
    # for text (the converter would use one as a link's text when it has none).
    for element in root.xpath("//img"):
        element.drop_tree()
    for element in root.xpath("//*[@title or @aria-label]"):
        element.attrib.pop("title", None)
        element.attrib.pop("aria-label", None)
    # A link without text (an icon) reads as nothing, not as its address.
    for link in root.xpath("//a[not(normalize-space())]"):
        if link.getparent() is not None:
            _replace_with_space(link)
    parts = [
        html_to_markdown.convert(
            lxml.html.tostring(element, encoding="unicode", with_tail=False), _MARKDOWN_OPTIONS
        ).content
        for element in _outermost(root, select)
    ]
    return _line_start_unescape("\n\n".join(parts))


def _parse(body: bytes, charset: str | None) -> lxml.html.HtmlElement | None:
    """The page's element tree (None for a page with no element at all), decoded as a browser
    would: the header's charset, else the page's own declaration, else detection."""
    text = UnicodeDammit(
        body, known_definite_encodings=[charset] if charset else [], is_html=True
    ).unicode_markup
    if not text or not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(
            text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
    except lxml.etree.ParserError:  # "Document is empty": nothing but text or markup debris
        return None


def _selector(selector: str) -> CSSSelector:
    try:
        return CSSSelector(selector, translator="html")
    except SelectorError as exc:
        raise ExtractionError(f"invalid CSS selector {selector!r}: {exc}") from exc


def _drop_non_content(root: lxml.html.HtmlElement, removers: list[CSSSelector]) -> None:
    doomed = [element for tag in _NON_CONTENT_TAGS for element in root.iter(tag)]
    doomed += [element for remover in removers for element in remover(root)]
    for element in doomed:
        if element.getparent() is not None:  # not already gone with an ancestor
            element.drop_tree()


def _outermost(root: lxml.html.HtmlElement, select: list[str]) -> list[lxml.html.HtmlElement]:
    """Every match of the selectors in document order, without matches nested in others."""
    # One selector list makes the XPath union return the matches in document order.
    matches = _selector(", ".join(select))(root)
    kept: list[lxml.html.HtmlElement] = []
    kept_set: set[lxml.html.HtmlElement] = set()
    for element in matches:
        if any(parent in kept_set for parent in element.iterancestors()):
            continue
        kept.append(element)
        kept_set.add(element)
    return kept


def _absolutise_links(root: lxml.html.HtmlElement, base_url: str | None) -> None:
    base_tag = next((base for base in root.iter("base") if base.get("href") is not None), None)
    if base_tag is not None:
        base_url = urljoin(base_url or "", base_tag.get("href"))
    for link in root.iter("a"):
        href = link.get("href")
        if href is None:
            continue
        href = href.strip()
        if urlsplit(href).scheme.lower() in _UNSAFE_LINK_SCHEMES:
            del link.attrib["href"]
        elif base_url and not href.startswith("#"):
            link.set("href", urljoin(base_url, href))


def _keep_blank_emphasis_as_spaces(root: lxml.html.HtmlElement) -> None:
    """``safeguards<strong> </strong>or``: a converter may drop an emphasis holding only a
    space, and the two words around it would merge."""
    for element in list(root.iter(*_INLINE_EMPHASIS_TAGS)):
        if element.text and not element.text.isspace():
            continue  # a word of its own: most emphasis, and no need to gather its whole text
        text = element.text_content()
        if text and text.isspace() and element.getparent() is not None:
            _replace_with_space(element)


def _replace_with_space(element: lxml.html.HtmlElement) -> None:
    element.text = " "
    for child in list(element):
        element.remove(child)
    element.drop_tag()


def _main_content(
    body: bytes, *, removers: list[CSSSelector], charset: str | None, base_url: str | None
) -> str:
    root = _parse(body, charset)
    if root is None:
        raise ExtractionError("no main content found on the page")
    _drop_non_content(root, removers)
    _absolutise_links(root, base_url)
    _keep_blank_emphasis_as_spaces(root)
    text = trafilatura.extract(
        lxml.html.tostring(root, encoding="unicode"),
        url=base_url,
        output_format="markdown",
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        deduplicate=False,
    )
    if not text:
        raise ExtractionError("no main content found on the page")
    return text


def _decode(body: bytes, charset: str | None) -> str:
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _pdf_to_text(body: bytes) -> str:
    try:
        reader = PdfReader(BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    # pypdf reports damaged and hostile files with many exception types; all mean "unreadable".
    except Exception as exc:  # noqa: BLE001
        raise ExtractionError(f"unreadable PDF: {exc}") from exc
    return "\n\n".join(page.strip() for page in pages if page.strip())


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Line by line: a "[ \t]+$" pattern tries every space of a long text.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _require_substance(text: str) -> None:
    # Too few words is the ingest's to judge, on the normalised text every media type reaches.
    if len(text) < settings.EXTRACTION_MIN_CHARS:
        raise ExtractionError(
            f"extracted text is (nearly) empty: {len(text)} characters "
            f"(at least {settings.EXTRACTION_MIN_CHARS} needed)"
        )
