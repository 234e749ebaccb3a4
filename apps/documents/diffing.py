"""Differences between two versions of a document's text: a line diff with word-level marks for
the diff page, and a section-aware change summary (sections keyed by their Markdown headings).

The functions return plain data; the page's template escapes every piece of text, so a version
holding markup shows it as text and cannot inject it."""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# difflib's algorithm compiled (the same matches, opcodes and ratios), several times faster on
# the word sequences of long documents.
import cydifflib as difflib

from apps.documents.normalization import markdown_inline_text, normalize_text

_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_TOKEN = re.compile(r"\S+|\s+")
# "5.", "6.1", "iv", "article 3", "section 2": numbering that shifts when a section is inserted
# above, so it is left out of the key a section is matched by.
_SECTION_NUMBER = re.compile(
    r"^(?:(?:article|section|part|chapter)\s+)?(?:\d+(?:\.\d+)*|[ivxlc]+)\s+"
)

# A removed and an added section whose words are this similar are one section renamed.
_RENAME_SIMILARITY = 0.8


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    body: str


@dataclass
class DiffLine:
    """One line of the diff. `segments` are (operation, text) pairs with operation one of
    "equal", "insert", "delete"; a replaced line carries both its old and new words."""

    kind: str  # "equal", "insert", "delete" or "replace"
    old_number: int | None
    new_number: int | None
    segments: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DiffHunk:
    lines: list[DiffLine]
    skipped_before: int = 0  # unchanged lines not shown above this hunk


def _headings(lines: list[str]) -> dict[int, tuple[str, int]]:
    """Line index of each heading -> (heading text, number of lines it spans)."""
    headings = {}
    for index, line in enumerate(lines):
        atx = _ATX_HEADING.match(line)
        if atx:
            headings[index] = (atx.group(2).strip(), 1)
        elif (
            line.strip()
            and index + 1 < len(lines)
            and _SETEXT_UNDERLINE.match(lines[index + 1])
            and not _SETEXT_UNDERLINE.match(line)
            and (index == 0 or not lines[index - 1].strip())
        ):
            headings[index] = (line.strip(), 2)
    return headings


def sections_split(text: str, *, normalize: Callable[[str], str] = normalize_text) -> list[Section]:
    """The text cut at its Markdown headings (ATX "## Title" and setext "Title\\n====="). The
    part before the first heading is the preamble (empty heading). Repeated headings get keys
    "heading", "heading (2)", ..."""
    lines = text.splitlines()
    headings = _headings(lines)
    # The preamble starts at line 0 unless a heading does: a text opening with its title has
    # no preamble, and its first section must not be cut twice.
    starts = sorted({0, *headings})
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        heading, span = headings.get(start, ("", 0))
        body = "\n".join(lines[start + span : end]).strip()
        if not heading and not body:
            continue
        base = _SECTION_NUMBER.sub("", normalize(heading))
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base} ({seen[base]})"
        sections.append(Section(key=key, heading=heading, body=body))
    return sections


def _word_change_counts(old_words: list[str], new_words: list[str]) -> tuple[int, int]:
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation != "equal":
            removed += old_end - old_start
            added += new_end - new_start
    return added, removed


def _paragraph_word_changes(
    old_text: str, new_text: str, normalize: Callable[[str], str]
) -> tuple[int, int]:
    """Words added and removed, diffing paragraphs first and words only inside the paragraphs
    that differ, which keeps long documents fast."""
    old_paragraphs = [normalize(p) for p in old_text.split("\n")]
    new_paragraphs = [normalize(p) for p in new_text.split("\n")]
    old_paragraphs = [p for p in old_paragraphs if p]
    new_paragraphs = [p for p in new_paragraphs if p]
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        block_added, block_removed = _word_change_counts(
            " ".join(old_paragraphs[old_start:old_end]).split(),
            " ".join(new_paragraphs[new_start:new_end]).split(),
        )
        added += block_added
        removed += block_removed
    return added, removed


def _label(section: Section) -> str:
    """The heading as a reader sees it: links reduced to their text, escapes undone, emphasis
    markers dropped."""
    return markdown_inline_text(section.heading) or "(preamble)"


def change_summary_build(old_text: str, new_text: str) -> dict:
    """Which sections were added, removed, renamed or reworded, and by how many words.

    Each section is normalised at most once, and only when needed: a section whose Markdown is
    unchanged cannot have changed words, so most of a long document is never normalised here."""
    # Most headings and paragraphs are the same in both texts: each distinct one is normalised
    # once.
    normalize = functools.cache(normalize_text)
    old_sections = {
        section.key: section for section in sections_split(old_text, normalize=normalize)
    }
    new_sections = {
        section.key: section for section in sections_split(new_text, normalize=normalize)
    }
    added = [new_sections[key] for key in new_sections if key not in old_sections]
    removed = [old_sections[key] for key in old_sections if key not in new_sections]
    body_words = _SectionWords(normalize)

    renamed = []
    for old in list(removed):
        old_words = body_words(old)
        for new in added:
            new_words = body_words(new)
            if old_words and new_words:
                similarity = difflib.SequenceMatcher(
                    None, old_words, new_words, autojunk=False
                ).quick_ratio()
                if similarity >= _RENAME_SIMILARITY:
                    renamed.append((old, new))
                    removed.remove(old)
                    added.remove(new)
                    break

    reworded = []
    pairs = [(old_sections[key], new_sections[key]) for key in old_sections if key in new_sections]
    for old, new in pairs + renamed:
        if old.body == new.body or body_words(old) == body_words(new):
            continue
        words_added, words_removed = _paragraph_word_changes(old.body, new.body, normalize)
        reworded.append(
            {"heading": _label(new), "words_added": words_added, "words_removed": words_removed}
        )

    words_added = sum(item["words_added"] for item in reworded) + sum(
        _section_word_count(section, body_words, normalize) for section in added
    )
    words_removed = sum(item["words_removed"] for item in reworded) + sum(
        _section_word_count(section, body_words, normalize) for section in removed
    )
    return {
        "sections_added": [_label(section) for section in added],
        "sections_removed": [_label(section) for section in removed],
        "sections_renamed": [{"from": _label(old), "to": _label(new)} for old, new in renamed],
        "sections_reworded": reworded,
        "words_added": words_added,
        "words_removed": words_removed,
    }


class _SectionWords:
    """The normalised words of section bodies, each section normalised once (the rename search
    compares every removed section with every added one)."""

    def __init__(self, normalize: Callable[[str], str]) -> None:
        self._normalize = normalize
        self._words: dict[int, list[str]] = {}

    def __call__(self, section: Section) -> list[str]:
        words = self._words.get(id(section))
        if words is None:
            words = self._words[id(section)] = self._normalize(section.body).split()
        return words


def _section_word_count(
    section: Section, body_words: _SectionWords, normalize: Callable[[str], str]
) -> int:
    # The heading and the body are separate lines, so their words never join across them.
    return len(normalize(section.heading).split()) + len(body_words(section))


def _word_segments(old_line: str, new_line: str) -> list[tuple[str, str]]:
    old_tokens = _TOKEN.findall(old_line)
    new_tokens = _TOKEN.findall(new_line)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(("equal", "".join(old_tokens[old_start:old_end])))
            continue
        if old_end > old_start:
            segments.append(("delete", "".join(old_tokens[old_start:old_end])))
        if new_end > new_start:
            segments.append(("insert", "".join(new_tokens[new_start:new_end])))
    return segments


def _changed_lines(old_lines, new_lines, old_start, old_end, new_start, new_end) -> list[DiffLine]:
    lines: list[DiffLine] = []
    paired = min(old_end - old_start, new_end - new_start)
    for offset in range(paired):
        old_line, new_line = old_lines[old_start + offset], new_lines[new_start + offset]
        lines.append(
            DiffLine(
                "replace",
                old_start + offset + 1,
                new_start + offset + 1,
                _word_segments(old_line, new_line),
            )
        )
    for index in range(old_start + paired, old_end):
        lines.append(DiffLine("delete", index + 1, None, [("delete", old_lines[index])]))
    for index in range(new_start + paired, new_end):
        lines.append(DiffLine("insert", None, index + 1, [("insert", new_lines[index])]))
    return lines


def text_diff(old_text: str, new_text: str, *, context: int = 3) -> list[DiffHunk]:
    """Hunks of changed lines with `context` unchanged lines around them; replaced lines are
    diffed word by word."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks: list[DiffHunk] = []
    previous_old_end = 0
    for group in matcher.get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for operation, old_start, old_end, new_start, new_end in group:
            if operation == "equal":
                lines.extend(
                    DiffLine("equal", old_start + i + 1, new_start + i + 1, [("equal", line)])
                    for i, line in enumerate(old_lines[old_start:old_end])
                )
            else:
                lines.extend(
                    _changed_lines(old_lines, new_lines, old_start, old_end, new_start, new_end)
                )
        hunks.append(DiffHunk(lines=lines, skipped_before=group[0][1] - previous_old_end))
        previous_old_end = group[-1][2]
    return hunks


# A clause whose closest passage shares at least this share of words, in order, was reworded;
# below it the clause is gone.
REWORDED_MIN_SIMILARITY = 0.6
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_CANDIDATES_SCORED = 25


@dataclass(frozen=True)
class ClauseMatch:
    status: str  # "present", "reworded" or "gone"
    similarity: float
    passage: str


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]


class PassageIndex:
    """A version's text prepared once for locating any number of clauses in it. Most clauses
    are found verbatim in the normalised text; the sentence index the closest-passage search
    needs is built only when one is not."""

    def __init__(self, document_text: str, *, normalized: str | None = None):
        """`normalized`, when the caller has it, is `normalize_text(document_text)`."""
        self.document_text = document_text
        if normalized is None:
            normalized = normalize_text(document_text)
        self.normalized = f" {normalized} "
        self._sentences: list[str] | None = None
        self._sentence_words: list[list[str]] | None = None
        self._sentence_word_sets: list[frozenset[str]] | None = None
        self._window_word_counts: dict[int, list[int]] = {}

    @property
    def sentences(self) -> list[str]:
        if self._sentences is None:
            self._sentences = _sentences(self.document_text)
        return self._sentences

    @property
    def sentence_words(self) -> list[list[str]]:
        if self._sentence_words is None:
            self._sentence_words = [normalize_text(sentence).split() for sentence in self.sentences]
        return self._sentence_words

    def locate(self, clause_text: str) -> ClauseMatch:
        """Whether the clause is still in the text, ignoring case, whitespace, punctuation and
        markup; if not, the closest run of sentences and how similar it is (0 to 1)."""
        clause_words = normalize_text(clause_text).split()
        if f" {' '.join(clause_words)} " in self.normalized:
            return ClauseMatch("present", 1.0, clause_text)
        best = ClauseMatch("gone", 0.0, "")
        # Only the passages sharing the most vocabulary are compared word by word: the ordered
        # comparison is the expensive one and long documents have thousands of windows.
        for start, size, words in self._closest_windows(clause_text, set(clause_words)):
            similarity = difflib.SequenceMatcher(None, clause_words, words, autojunk=False).ratio()
            if similarity > best.similarity:
                passage = " ".join(self.sentences[start : start + size])
                best = ClauseMatch("gone", round(similarity, 3), passage)
        if best.similarity >= REWORDED_MIN_SIMILARITY:
            return ClauseMatch("reworded", best.similarity, best.passage)
        return best

    def _closest_windows(self, clause_text: str, vocabulary: set[str]):
        clause_size = max(len(_sentences(clause_text)), 1)
        # Jaccard overlap of the clause's words with each window of sentences: the shared words
        # come from the few each sentence shares, the window's own size is the same for every
        # clause and kept. Each sentence's shared words are a bit mask over the clause's
        # vocabulary, so a window's are the OR of a few integers. A window sharing no word
        # overlaps by 0 and its ordered comparison is 0 too: it can never be the closest
        # passage, so it is not listed (the stable sort keeps the others' order).
        bits = {word: 1 << position for position, word in enumerate(vocabulary)}
        masks = [sum(bits[word] for word in vocabulary & words) for words in self._sentence_sets()]
        candidates = []
        for size in {max(clause_size - 1, 1), clause_size, clause_size + 1}:
            for start, window_size in enumerate(self._window_sizes(size)):
                mask = masks[start]
                for offset in range(1, size):
                    mask |= masks[start + offset]
                if mask:
                    common = mask.bit_count()
                    overlap = common / (len(vocabulary) + window_size - common)
                    candidates.append((overlap, start, size))
        candidates.sort(key=lambda candidate: candidate[0], reverse=True)
        # Only the few windows compared word by word need their words in order.
        return [
            (start, size, [w for part in self.sentence_words[start : start + size] for w in part])
            for _, start, size in candidates[:_CANDIDATES_SCORED]
        ]

    def _sentence_sets(self) -> list[frozenset[str]]:
        if self._sentence_word_sets is None:
            self._sentence_word_sets = [frozenset(words) for words in self.sentence_words]
        return self._sentence_word_sets

    def _window_sizes(self, size: int) -> list[int]:
        """How many distinct words each window of `size` sentences holds, by its start."""
        if size not in self._window_word_counts:
            sets = self._sentence_sets()
            self._window_word_counts[size] = [
                len(set().union(*sets[start : start + size]))
                for start in range(max(len(sets) - size + 1, 0))
            ]
        return self._window_word_counts[size]
