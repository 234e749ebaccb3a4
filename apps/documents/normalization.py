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
_TYPOGRAPHY = str.maketrans(
    {
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
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)

# `[text](target "title")` and `![alt](target)`; the text may hold one level of brackets.
_LINK_TEXT = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
_LINK_TARGET = r"\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
_IMAGE = re.compile(r"!" + _LINK_TEXT + _LINK_TARGET)
_LINK = re.compile(_LINK_TEXT + _LINK_TARGET)
_REFERENCE_LINK = re.compile(_LINK_TEXT + r"\[[^\]]*\]")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>", re.IGNORECASE)
_BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~=\"'])")
_HEADING_MARKER = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$", re.MULTILINE)
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$", re.MULTILINE)
_BLOCKQUOTE_MARKER = re.compile(r"^\s*(?:>\s?)+", re.MULTILINE)
# Converters renumber ordered lists ("1." for every item) and pick bullet characters freely.
_LIST_MARKER = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~|`+)")
_WORD = re.compile(r"\w", re.UNICODE)


def _bare_url_identity(match: re.Match) -> str:
    """A bare URL keeps its host and path (a changed destination is a change a reader sees) but
    loses its query and fragment, where tracking and session tokens live."""
    return re.split(r"[?#]", match.group(0), maxsplit=1)[0].rstrip(".,;:/")


def normalize_text(text: str) -> str:
    """The reader-visible words of a Markdown text, separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = _REFERENCE_DEFINITION.sub("", text)
    # Images and links go before escapes are undone, so an escaped bracket never opens one.
    text = _IMAGE.sub(r"\1", text)
    for _ in range(2):  # a link's text may itself be a link or an image
        text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _BARE_URL.sub(_bare_url_identity, text)
    text = _HTML_TAG.sub(" ", text)
    text = _TABLE_RULE.sub("", text)
    text = _SETEXT_UNDERLINE.sub("", text)
    text = _BLOCKQUOTE_MARKER.sub("", text)
    text = _HEADING_MARKER.sub("", text)
    text = _LIST_MARKER.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    # Line breaks and blank lines are layout: where a converter wraps or splits paragraphs says
    # nothing about the words. A token without a letter or digit ("…", "|", "* * *", a dash
    # between spaces) is decoration.
    return " ".join(token for token in text.split() if _WORD.search(token))


def text_fingerprint(text: str) -> str:
    """SHA-256 of the normalised text: equal fingerprints mean no change a reader could see."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
