"""Reading the workspace's files back the way a user's tools would."""

import io
import re

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, whitespace runs folded to one space."""
    reader = PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def compact(text: str) -> str:
    """Text without any whitespace: long tokens (hashes, URLs) may wrap across lines."""
    return re.sub(r"\s+", "", text)
