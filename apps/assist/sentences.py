"""A version's text (Markdown) as sentences a curator could quote.

Each sentence is returned exactly as it stands in the text, only with the line breaks of a
wrapped paragraph as spaces, so a provision made from it passes the check that its clause text
appears in the version it cites (`apps.provisions.clause_text.clause_found_in`). Headings, table
rows and link lists are left out: they are not clauses."""

import re
from dataclasses import dataclass

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A line that starts a block of its own: a heading, a list item, a quote, a table row.
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\|)")
_HEADING_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")
_LEADING_MARKER = re.compile(r"^\s*(?:>\s*)?(?:[-*+]\s+|\d{1,3}[.)]\s+)?")
# Where a sentence ends: ., ! or ? (perhaps closed by a quote, bracket or emphasis) before a
# space and a capital letter, digit, quote or bracket. Abbreviations followed by a capital
# ("e.g. Google") split wrongly now and then; a curator sees the sentence and can widen it.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]*_]*(\s+)(?=[\"'“‘(\[*_]*[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z]{2,}")
# A short line in bold alone ("**12.7 Termination for Nonpayment**.") is a heading too.
_BOLD_HEADING = re.compile(r"^\s*\*\*[^*]{1,120}\*\*[.:]?\s*$")
MIN_WORDS = 5
MAX_CHARS = 2000


@dataclass(frozen=True)
class Sentence:
    position: int
    text: str


def _blocks(text: str) -> list[str]:
    blocks = []
    for paragraph in _BLANK_LINE.split(text.replace("\r\n", "\n")):
        current: list[str] = []
        for line in paragraph.split("\n"):
            if _HEADING_UNDERLINE.match(line):
                # The line above was a heading (Setext style), not a sentence.
                current = current[:-1]
                continue
            if _BLOCK_START.match(line) and current:
                blocks.append(" ".join(current))
                current = []
            current.append(line.strip())
        if current:
            blocks.append(" ".join(current))
    return blocks


def _is_clause_like(block: str) -> bool:
    stripped = block.lstrip()
    return not (
        stripped.startswith(("#", "|"))
        or (stripped.startswith("[") and "](" in stripped)
        or _BOLD_HEADING.match(stripped)
    )


def version_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` worth classifying, numbered in reading order."""
    sentences = []
    for block in _blocks(text):
        if not _is_clause_like(block):
            continue
        body = block[_LEADING_MARKER.match(block).end() :]
        start = 0
        for end in [*(match.start(1) for match in _SENTENCE_END.finditer(body)), len(body)]:
            piece, start = body[start:end].strip(), end
            if len(_WORD.findall(piece)) >= MIN_WORDS and len(piece) <= MAX_CHARS:
                sentences.append(Sentence(position=len(sentences), text=piece))
    return sentences
