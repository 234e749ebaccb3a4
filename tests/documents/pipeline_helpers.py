"""Shared helpers of the documents tests: the small corpus of real document histories that the
repository ships under tests/corpus/ (see its ATTRIBUTION.md)."""

import gzip
import json
from pathlib import Path

CORPUS_DIR = (Path(__file__).resolve().parent.parent / "corpus").resolve()
MARKDOWN = "text/markdown; charset=utf-8"
PDF = "application/pdf"


def corpus_bytes(document: str, file: str) -> bytes:
    """The bytes of one stored version or snapshot (`v003.md`, `snapshot_001.html`), read from
    the file itself or from its gzip-compressed copy (`v003.md.gz`). A name outside the corpus
    is a FileNotFoundError, like a missing one."""
    path = (CORPUS_DIR / document / file).resolve()
    if CORPUS_DIR not in path.parents:
        raise FileNotFoundError(f"{document}/{file} is not in the test corpus")
    if path.is_file():
        return path.read_bytes()
    return gzip.decompress(path.with_name(f"{path.name}.gz").read_bytes())


def corpus_meta(document: str) -> dict:
    return json.loads(corpus_bytes(document, "meta.json"))
