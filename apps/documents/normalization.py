"""What decides whether a document changed: its extracted Markdown reduced to the words a reader
sees. Everything a re-rendering, a converter upgrade or a link-tracking scheme can alter without
the platform changing a word is removed here: Unicode compatibility forms, typographic quotes and
dashes, whitespace and line wrapping, link and image targets, Markdown markup (emphasis, heading
and list markers, escapes, tables, rules) and lines that carry no word at all.

Changing these rules changes every stored `DocumentVersion.text_sha256`; ship such a change with
a data migration that rehashes the stored texts, or every document will look changed once."""

import hashlib
import re
import unicodedata

# Characters NFKC leaves alone but that renderers swap freely.
_TYPOGRAPHY = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    # Invisible characters: soft hyphen, zero-width space/joiners, word joiner, BOM.
    "\u00ad": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}
# A substitution touches only the rare characters present; str.translate would walk the whole
# text through a dictionary, several times slower on long documents.
_TYPOGRAPHY_CHARS = re.compile("[" + "".join(_TYPOGRAPHY) + "]")

# `[text](target "title")` and `![alt](target)`; the text may hold one level of brackets.
_LINK_TEXT = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
# The target runs to the matching parenthesis, spaces and a "title" included ("mailto: a@b").
_LINK_TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_IMAGE = re.compile(r"!" + _LINK_TEXT + _LINK_TARGET)
_LINK = re.compile(_LINK_TEXT + _LINK_TARGET)
_REFERENCE_LINK = re.compile(_LINK_TEXT + r"\[[^\]]*\]")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>", re.IGNORECASE)
# A bare URL runs to the next space, angle bracket, quote or closing bracket, so never past a
# line break. Its two prefixes are taken one pass each, each only on the lines that can hold
# one: the scheme's "://" and the host's "www." are found far faster than the engine tries a
# pattern at every position of a long text. An address nested in another ("http://www.x")
# reads the same either way: the identity of the outer one cuts and trims at the same points.
_URL_STOP = r"[^\s<>\"')\]]+"
_SCHEME_URL = re.compile(r"[hH][tT][tT][pP][sS]?://" + _URL_STOP)
_WWW_URL = re.compile(r"[wW][wW][wW]\." + _URL_STOP)
_WWW_ANY_CASE = re.compile(r"[wW][wW][wW]\.")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~=\"'])")
# Converters renumber ordered lists ("1." for every item) and pick bullet characters freely.
_LIST_MARKER = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+", re.MULTILINE)
_EMPHASIS_MARKS = ("*", "_", "`")
# A word: letters and digits, possibly joined by inner punctuation ("e-mail", "won't", "1,000",
# "3.5", "example.com"); the punctuation between words is not part of any word.
_WORD = re.compile(r"[^\W_]+(?:['.,:/\-_][^\W_]+)*")
# The same words in ASCII text (where \w is exactly [a-zA-Z0-9_]), matched about twice as fast.
_ASCII_WORD = re.compile(r"[a-zA-Z0-9]+(?:['.,:/\-_][a-zA-Z0-9]+)*")


def _nfkc(text: str) -> str:
    """NFKC, line by line and only on lines with a non-ASCII character (ASCII is unchanged by
    it): the same result, since no character composes across a line break, in a fraction of
    the time on the mostly ASCII texts of documents."""
    if text.isascii():
        return text
    return "\n".join(
        line if line.isascii() else unicodedata.normalize("NFKC", line) for line in text.split("\n")
    )


def _strip_emphasis(text: str) -> str:
    """Drop emphasis and code marks: every "*", "_" and "`", and "~~" (strikethrough). The tilde
    pairs are taken first, from the text as it stands, so deleting a mark between two tildes
    never makes a pair; plain replacements run several times faster than one pattern."""
    text = text.replace("~~", "")
    for mark in _EMPHASIS_MARKS:
        text = text.replace(mark, "")
    return text


def _bare_url_identity(match: re.Match) -> str:
    """A bare URL keeps its host and path (a changed destination is a change a reader sees) but
    loses its query and fragment, where tracking and session tokens live."""
    return re.split(r"[?#]", match.group(0), maxsplit=1)[0].rstrip(".,;:/")


def _bare_urls_reduce(text: str) -> str:
    """Each line holding a scheme's "://" or a host's "www." (any case) reduced by
    `_bare_url_identity`: no bare URL spans a line, and the lines cut out of a text holding wide
    characters are mostly compact ASCII, far faster to search than the whole."""
    if "://" not in text and not _WWW_ANY_CASE.search(text):
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "://" in line:
            line = _SCHEME_URL.sub(_bare_url_identity, line)
        if _WWW_ANY_CASE.search(line):
            line = _WWW_URL.sub(_bare_url_identity, line)
        lines[index] = line
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    """`_WORD.findall(text)`, with the ASCII pattern on the lines without a non-ASCII character:
    a word never spans a line break, so each line can be read with either (and an ASCII line
    cut out of a text holding wide characters is read as compact ASCII, several times faster)."""
    if text.isascii():
        return _ASCII_WORD.findall(text)
    words: list[str] = []
    for line in text.split("\n"):
        words += (_ASCII_WORD if line.isascii() else _WORD).findall(line)
    return words


def _casefold(text: str) -> str:
    """`text.casefold()`, as `lower()` on the ASCII lines (the same there, and far faster); no
    character folds across a line break."""
    if text.isascii():
        return text.lower()
    return "\n".join(
        line.lower() if line.isascii() else line.casefold() for line in text.split("\n")
    )


def normalize_text(text: str) -> str:
    """The reader-visible words of a Markdown text, separated by single spaces."""
    text = _nfkc(text)
    if not text.isascii():  # every character it replaces is outside ASCII
        text = _TYPOGRAPHY_CHARS.sub(lambda match: _TYPOGRAPHY[match.group()], text)
    # Each pattern below needs a marker character pair to match; testing for it first skips
    # the whole pass on the many texts without one (paragraphs, sentences, headings).
    if "]:" in text:
        text = _REFERENCE_DEFINITION.sub("", text)
    # Images and links go before escapes are undone, so an escaped bracket never opens one.
    # A link keeps its text, set apart by spaces: renderers differ on the spaces between links.
    if "](" in text:
        text = _IMAGE.sub(r" \1 ", text)
        for _ in range(2):  # a link's text may itself be a link or an image
            text = _LINK.sub(r" \1 ", text)
    if "][" in text:
        text = _REFERENCE_LINK.sub(r" \1 ", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    text = _bare_urls_reduce(text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    # List markers go before escapes are undone: a converter escapes a paragraph's "1." as
    # "1\." precisely because it is not a list marker, and the same words as a heading keep
    # their "1." too ("## 1. Who can use" and "1\. Who can use" read alike).
    text = _LIST_MARKER.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    text = _strip_emphasis(text)
    # Line breaks, blank lines, heading and table markup, punctuation between words and letter
    # case ("XBOX", "Terms of use"): layout and typography, not what the document says.
    return " ".join(_words(_casefold(text)))


def markdown_inline_text(text: str) -> str:
    """A line of Markdown as a reader sees it, case and punctuation kept (a heading shown as a
    title): links and images reduced to their text, escapes undone, emphasis dropped."""
    text = _IMAGE.sub(r"\1", text)
    for _ in range(2):
        text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(_strip_emphasis(text).split())


def normalized_fingerprint(normalized: str) -> str:
    """SHA-256 of an already normalised text."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def text_fingerprint(text: str) -> str:
    """SHA-256 of the normalised text: equal fingerprints mean no change a reader could see."""
    return normalized_fingerprint(normalize_text(text))
