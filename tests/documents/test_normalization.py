"""Normalisation against the noise the real corpus shows, and the real changes it must keep."""

import importlib

import pytest
from django.apps import apps

from apps.documents.extraction import extract_text
from apps.documents.normalization import normalize_text, text_fingerprint
from tests.documents.pipeline_helpers import corpus_bytes
from tests.factories import DocumentVersionFactory


def text(document: str, file: str) -> str:
    return corpus_bytes(document, file).decode()


def same(a: str, b: str) -> bool:
    return text_fingerprint(a) == text_fingerprint(b)


@pytest.mark.parametrize(
    ("document", "old", "new"),
    [
        # Link-token churn: the same words, new redirect or tracking tokens in the targets.
        ("microsoft-copilot__terms-of-service", "v001.md", "v002.md"),
        # Renderers that drop the spaces between adjacent links, or a stray "…" line.
        ("hugging-face__terms-of-service", "v006.md", "v007.md"),
        ("chatgpt__terms-of-service", "v001.md", "v002.md"),
        # Punctuation and letter case only ("provided.." → "provided.", "Xbox" → "XBOX").
        ("github__privacy-policy", "v002.md", "v003.md"),
        ("microsoft__terms-of-service", "v007.md", "v008.md"),
        # A mailto target with a space in it.
        ("tumblr__terms-of-service", "v002.md", "v003.md"),
    ],
)
def test_corpus_noise_is_not_a_change(document, old, new):
    assert text(document, old) != text(document, new)
    assert same(text(document, old), text(document, new))


@pytest.mark.parametrize(
    ("document", "old", "new"),
    [
        # The real text of the Claude privacy policy moves, under heavy link-token noise.
        ("claude-ai__privacy-policy", "v001.md", "v002.md"),
        # A one-phrase edit: "(as well as users who are 13 years old in Florida)".
        ("tiktok__privacy-policy", "v001.md", "v002.md"),
        # A date-only edit.
        ("airbnb__terms-of-service", "v003.md", "v004.md"),
        ("zoom__terms-of-service", "v004.md", "v005.md"),
    ],
)
def test_corpus_word_changes_are_changes(document, old, new):
    assert not same(text(document, old), text(document, new))


def test_temu_image_token_churn_is_ignored_but_its_new_clause_is_not():
    old, new = (
        text("temu__general-conditions-of-sale", "v001.md"),
        text("temu__general-conditions-of-sale", "v002.md"),
    )
    churned = old.replace("3c93c602ac144e26a7ece3c07e6f9dbb", "a16f6c47752d48be968ed9c1ef6971a1")
    assert churned != old and same(old, churned)
    assert not same(old, new)
    assert "return fraud or abuse" in normalize_text(new)


def test_a_flip_flop_returns_to_the_same_fingerprint():
    first, second, back = (
        text("tiktok__privacy-policy", file) for file in ("v003.md", "v004.md", "v005.md")
    )
    assert not same(first, second)
    assert same(first, back)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ｔｅｒｍｓ ﬁle", "Terms file"),  # NFKC compatibility forms
        ("We don’t “sell” data — ever", 'We don\'t "sell" data - ever'),
        ("Hello\u00a0world\u200b.", "Hello world."),
        ("## Your data\n\nWe keep it.", "**Your data**\nWe keep it."),
        ("1. First\n2. Second", "- First\n- Second"),
        ("* item one\n+ item two", "- item one\n- item two"),
        ("Terms\n=====\n\nText", "# Terms\n\nText"),
        (r"Use \*only\* the 1\. rule", "Use *only* the 1. rule"),
        ("See [our policy](https://x.test/p?utm_source=a).", "See [our policy](https://x.test/q)"),
        ("![logo](https://cdn.test/a.png) Terms", "![logo](https://cdn.test/b.png) Terms"),
        (
            "Visit https://x.test/terms?session=abc123 now",
            "Visit https://x.test/terms?session=zz now",
        ),
        ("| a | b |\n|---|---|\n| c | d |", "a b\n\nc d"),
        ("Line one\nline two", "Line one line two"),
    ],
)
def test_markup_only_differences_are_ignored(a, b):
    assert same(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We may sell your data.", "We may not sell your data."),
        ("Fees are $1,000.", "Fees are $1.000."),
        ("Visit https://x.test/terms", "Visit https://y.test/terms"),
        ("Effective May 1, 2025", "Effective May 2, 2025"),
    ],
)
def test_word_differences_are_kept(a, b):
    assert not same(a, b)


@pytest.mark.parametrize(
    "markup",
    [
        "<p>1. Who can use</p>",
        "<h3>1. Who can use</h3>",
        "<div><strong>1. Who can use</strong></div>",
        "<ul><li>1. Who can use</li></ul>",
    ],
)
def test_the_same_words_in_any_markup_give_the_same_fingerprint(markup):
    """A heading rendered as a paragraph keeps its "1.": the converter escapes the paragraph's
    number ("1\\.") and normalisation must not then take it for a list marker."""

    def fingerprint(html: str) -> str:
        rest = "".join(
            f"<p>Rule {number}: you must be at least 13 years old to open an account.</p>"
            for number in range(5)
        )
        body = f"<main>{html}{rest}</main>".encode()
        return text_fingerprint(extract_text(body, "text/html", select=[], remove=[]))

    assert fingerprint(markup) == fingerprint("<h2>1. Who can use</h2>")


def test_an_escaped_number_is_a_word_and_a_list_marker_is_not():
    assert normalize_text("## 1. Who can use") == "1 who can use"
    assert normalize_text("1\\. Who can use") == "1 who can use"
    assert normalize_text("1. Who can use\n2. Fees") == "who can use fees"


@pytest.mark.django_db
def test_the_rehash_migration_brings_stored_fingerprints_to_the_current_rules():
    migration = importlib.import_module(
        "apps.documents.migrations.0008_rehash_version_texts_for_escaped_numbers"
    )
    text = "1\\. Who can use\n\nYou must be at least 13 years old."
    stale = DocumentVersionFactory(text=text, text_sha256="0" * 64)

    migration.rehash_version_texts(apps, None)

    stale.refresh_from_db()
    assert stale.text_sha256 == text_fingerprint(text)
