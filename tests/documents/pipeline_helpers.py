"""Shared helpers of the documents tests: the real corpus of document histories."""

import json
import os
from pathlib import Path

from django.conf import settings

CORPUS_DIR = Path(
    os.environ.get("CONDUCTATLAS_CORPUS", settings.BASE_DIR.parent / "shared" / "corpus")
)
MARKDOWN = "text/markdown; charset=utf-8"


def corpus_bytes(document: str, file: str) -> bytes:
    """The bytes of one stored version or snapshot (`v003.md`, `snapshot_001.html`)."""
    return (CORPUS_DIR / document / file).read_bytes()


def corpus_meta(document: str) -> dict:
    return json.loads((CORPUS_DIR / document / "meta.json").read_text())
