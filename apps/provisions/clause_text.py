"""Whether a quoted clause appears in an archived text. Used wherever a provision's clause is
checked against the version it cites (model validation, the admin form, the demo loader)."""

import re

_WHITESPACE = re.compile(r"\s+")


def _collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def clause_found_in(*, clause_text: str, text: str) -> bool:
    """True when `clause_text` occurs in `text` word for word. Runs of whitespace (line breaks,
    tabs, non-breaking spaces) compare equal to one space, because a curator who copies a clause
    out of the archived Markdown gets the words exactly but not the line wrapping."""
    clause = _collapse_whitespace(clause_text)
    return bool(clause) and clause in _collapse_whitespace(text)
