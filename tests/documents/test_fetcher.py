import pytest

from apps.documents.fetcher import FetchError, FetchErrorKind, fetch
from tests.documents.pipeline_helpers import corpus_bytes

CHATGPT_TERMS = "chatgpt__terms-of-service"


def test_fetches_a_real_corpus_snapshot(corpus_server):
    url = corpus_server.corpus_url(CHATGPT_TERMS, "snapshot_001.html")

    result = fetch(url)

    assert result.status == 200
    assert result.body == corpus_bytes(CHATGPT_TERMS, "snapshot_001.html")
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.final_url == url
    assert result.not_modified is False


def test_a_missing_page_is_gone(corpus_server):
    with pytest.raises(FetchError) as error:
        fetch(corpus_server.url("/corpus/no-such-document/v001.md"))

    assert error.value.kind == FetchErrorKind.GONE
    assert error.value.status == 404
