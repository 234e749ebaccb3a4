"""Turns fetched bytes into the document's text, as Markdown.

HTML: the ``remove`` selectors are dropped, then the ``select`` selectors' matches are kept in
document order and converted to Markdown (headings, lists, links, tables). Without ``select``
a main-content extractor (trafilatura) finds the body. Plain text and Markdown pass through;
PDF becomes its text. Anything that yields (nearly) nothing raises ExtractionError: a page that
lost its text, or a selector that no longer matches, is a fetch failure, never a new version.
"""

import re
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import soupsieve
import trafilatura
from bs4 import BeautifulSoup, Tag
from django.conf import settings
from django.utils.http import parse_header_parameters
from markdownify import MarkdownConverter
from pypdf import PdfReader

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
PDF_TYPE = "application/pdf"

# Never part of a document's text, whatever the selectors say.
_NON_CONTENT_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed"]
_INLINE_EMPHASIS_TAGS = ["strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "code"]
_UNSAFE_LINK_SCHEMES = frozenset({"javascript", "data", "vbscript"})
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


class ExtractionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Converter(MarkdownConverter):
    """ATX headings, "-" bullets, hard line breaks as backslashes (trailing spaces would be
    trimmed away), images dropped: their URLs churn and carry no terms."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", newline_style="backslash", strip=["img"])


_converter = _Converter()


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
    soup = BeautifulSoup(body, "lxml", from_encoding=charset)
    for element in soup(_NON_CONTENT_TAGS):
        element.decompose()
    for selector in remove:
        for element in _select(soup, selector):
            element.decompose()
    _absolutise_links(soup, base_url)
    _keep_blank_emphasis_as_spaces(soup)
    if not select:
        return _main_content(soup, base_url)
    for selector in select:
        if not _select(soup, selector, limit=1):
            raise ExtractionError(f"selector {selector!r} matches nothing on the page")
    try:
        parts = [_converter.convert_soup(element) for element in _outermost(soup, select)]
    except RecursionError as exc:
        # markdownify recurses per element; real documents nest a few dozen levels deep.
        raise ExtractionError("the page is nested too deeply to convert") from exc
    return "\n\n".join(parts)


def _select(soup: BeautifulSoup, selector: str, *, limit: int = 0) -> list[Tag]:
    try:
        return soup.select(selector, limit=limit)
    except soupsieve.SelectorSyntaxError as exc:
        raise ExtractionError(f"invalid CSS selector {selector!r}: {exc}") from exc


def _outermost(soup: BeautifulSoup, select: list[str]) -> list[Tag]:
    """Every match of the selectors in document order, without matches nested in others."""
    # One selector list makes soupsieve return the matches in document order.
    matches = _select(soup, ", ".join(select))
    kept: list[Tag] = []
    kept_ids: set[int] = set()
    for element in matches:
        if any(id(parent) in kept_ids for parent in element.parents):
            continue
        kept.append(element)
        kept_ids.add(id(element))
    return kept


def _absolutise_links(soup: BeautifulSoup, base_url: str | None) -> None:
    base_tag = soup.find("base", href=True)
    if base_tag is not None:
        base_url = urljoin(base_url or "", base_tag["href"])
    for link in soup.find_all("a", href=True):
        href = link["href"].strip()
        if urlsplit(href).scheme.lower() in _UNSAFE_LINK_SCHEMES:
            del link["href"]
        elif base_url and not href.startswith("#"):
            link["href"] = urljoin(base_url, href)


def _keep_blank_emphasis_as_spaces(soup: BeautifulSoup) -> None:
    """``safeguards<strong> </strong>or``: markdownify drops an emphasis holding only a space,
    and the two words around it would merge."""
    for element in soup.find_all(_INLINE_EMPHASIS_TAGS):
        text = element.get_text()
        if text and text.isspace():
            element.replace_with(" ")


def _main_content(soup: BeautifulSoup, base_url: str | None) -> str:
    text = trafilatura.extract(
        str(soup),
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
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _require_substance(text: str) -> None:
    # Too few words is the ingest's to judge, on the normalised text every media type reaches.
    if len(text) < settings.EXTRACTION_MIN_CHARS:
        raise ExtractionError(
            f"extracted text is (nearly) empty: {len(text)} characters "
            f"(at least {settings.EXTRACTION_MIN_CHARS} needed)"
        )
