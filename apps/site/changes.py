"""The public page of a recorded change: its summary, the provisions it affected and the diff,
with the Markdown of tables, lists and headings shown as such rather than as raw syntax."""

import re
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render

from apps.documents.diffing import DiffLine, text_diff
from apps.provisions.selectors import change_event_get, change_event_impacts

Segments = list[tuple[str, str]]

_HEADING = re.compile(r"#{1,6}\s+")
_LIST_MARKER = re.compile(r"(\s*)(?:[-*+]|\d{1,3}[.)])\s+")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")


@dataclass
class ReadableLine:
    """A diff line as the page draws it: `block` is "heading", "list_item", "table_row",
    "table_rule" (the |---| line under a table's header, not drawn) or "text"."""

    line: DiffLine
    block: str
    segments: Segments = field(default_factory=list)
    cells: list[Segments] = field(default_factory=list)
    level: int = 0


def _strip_prefix(segments: Segments, length: int) -> Segments:
    """The segments without their first `length` characters (the Markdown marker)."""
    stripped = []
    for operation, text in segments:
        cut = min(length, len(text))
        length -= cut
        if text[cut:]:
            stripped.append((operation, text[cut:]))
    return stripped


def _split_cells(segments: Segments) -> list[Segments]:
    cells: list[Segments] = [[]]
    for operation, text in segments:
        for index, part in enumerate(text.split("|")):
            if index:
                cells.append([])
            if part:
                cells[-1].append((operation, part))
    # The row's leading and trailing pipes leave an empty cell at either end.
    if cells and not "".join(text for _, text in cells[0]).strip():
        cells = cells[1:]
    if cells and not "".join(text for _, text in cells[-1]).strip():
        cells = cells[:-1]
    return cells


def readable_line(line: DiffLine) -> ReadableLine:
    text = "".join(part for _, part in line.segments)
    if text.strip() and _TABLE_RULE.fullmatch(text):
        return ReadableLine(line=line, block="table_rule")
    if text.lstrip().startswith("|"):
        return ReadableLine(line=line, block="table_row", cells=_split_cells(line.segments))
    if match := _HEADING.match(text):
        return ReadableLine(
            line=line, block="heading", segments=_strip_prefix(line.segments, match.end())
        )
    if match := _LIST_MARKER.match(text):
        return ReadableLine(
            line=line,
            block="list_item",
            segments=_strip_prefix(line.segments, match.end()),
            level=len(match.group(1).expandtabs(4)) // 2,
        )
    return ReadableLine(line=line, block="text", segments=line.segments)


def change_detail(request, change_event_id):
    event = change_event_get(change_event_id=change_event_id, with_text=True)
    if event is None:
        raise Http404("No such change.")
    hunks = text_diff(event.previous_version.text, event.version.text)
    return render(
        request,
        "changes/change_detail.html",
        {
            "event": event,
            "document": event.document,
            "platform": event.document.platform,
            "summary": event.summary,
            "impacts": change_event_impacts(change_event=event),
            "hunks": [
                {
                    "skipped_before": hunk.skipped_before,
                    "lines": [readable_line(line) for line in hunk.lines],
                }
                for hunk in hunks
            ],
        },
    )
