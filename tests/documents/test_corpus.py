"""The test corpus the repository ships: complete, intact and the only one the tests read."""

import hashlib

import pytest
from django.conf import settings

from tests.documents.pipeline_helpers import CORPUS_DIR, corpus_bytes, corpus_meta

DOCUMENTS = sorted(path.name for path in CORPUS_DIR.iterdir() if path.is_dir())


def test_the_corpus_lives_in_the_repository_with_its_attribution():
    assert CORPUS_DIR.is_relative_to(settings.BASE_DIR.resolve())
    assert "Open Terms Archive contributors" in (CORPUS_DIR / "ATTRIBUTION.md").read_text()
    assert len(DOCUMENTS) >= 5


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_listed_version_and_snapshot_is_shipped_unaltered(document):
    meta = corpus_meta(document)

    for version in meta["versions"]:
        body = corpus_bytes(document, version["file"])
        assert hashlib.sha256(body).hexdigest() == version["sha256"], version["file"]
    for snapshot in meta["snapshots"]:
        assert len(corpus_bytes(document, snapshot["file"])) == snapshot["bytes"], snapshot["file"]


@pytest.mark.parametrize(
    ("document", "file"),
    [("..", "conftest.py"), ("zoom__terms-of-service", "../../conftest.py"), ("zoom", "v001.md")],
)
def test_a_name_outside_the_corpus_is_not_found(document, file):
    with pytest.raises(FileNotFoundError):
        corpus_bytes(document, file)
