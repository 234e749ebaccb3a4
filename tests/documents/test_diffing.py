import re

import pytest
from django.urls import reverse

from apps.documents import diffing
from apps.documents.diffing import PassageIndex, change_summary_build, sections_split, text_diff
from tests.documents.pipeline_helpers import corpus_bytes
from tests.factories import DocumentFactory, DocumentVersionFactory


def test_sections_are_keyed_by_heading_without_their_numbers():
    sections = sections_split(
        "Intro text\n\n## 1. Data we collect\nA\n\nFees\n====\nB\n\n## 1. Data we collect\nC"
    )
    assert [(s.key, s.body) for s in sections] == [
        ("", "Intro text"),
        ("data we collect", "A"),
        ("fees", "B"),
        ("data we collect (2)", "C"),
    ]


def test_a_text_opening_with_its_title_has_each_section_once():
    sections = sections_split("# Terms of Service\nYou may use the app.\n\n## Fees\nNone.")
    assert [(s.key, s.heading, s.body) for s in sections] == [
        ("terms of service", "Terms of Service", "You may use the app."),
        ("fees", "Fees", "None."),
    ]


def test_a_line_added_above_the_title_counts_only_its_words():
    old = (
        "# Terms of Service\n\nYou may use the app if you are at least eighteen years old and "
        "agree to these terms.\n\n## Fees\nThe app is free.\n"
    )
    summary = change_summary_build(old, "Last updated\n\n" + old)
    assert summary["sections_added"] == ["(preamble)"]
    assert summary["sections_removed"] == []
    assert summary["sections_renamed"] == []
    assert summary["sections_reworded"] == []
    assert (summary["words_added"], summary["words_removed"]) == (2, 0)


def test_summary_names_sections_added_removed_renumbered_and_reworded():
    old = "# Terms\n\n## 1. Fees\nYou pay monthly.\n\n## 2. Refunds\nNo refunds at all.\n"
    new = "# Terms\n\n## 1. Scope\nThese terms cover the app.\n\n## 2. Fees\nYou pay every year.\n"
    summary = change_summary_build(old, new)
    assert summary["sections_added"] == ["1. Scope"]
    assert summary["sections_removed"] == ["2. Refunds"]
    assert summary["sections_reworded"] == [
        {"heading": "2. Fees", "words_added": 2, "words_removed": 1}
    ]
    assert summary["words_added"] == 2 + 6
    assert summary["words_removed"] == 1 + 5


def counting_normalisations(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = diffing.normalize_text

    def counted(text):
        calls.append(text)
        return original(text)

    monkeypatch.setattr(diffing, "normalize_text", counted)
    return calls


def test_a_reorganised_document_is_summarised_without_normalising_pairs_of_sections(
    monkeypatch,
):
    # Every section renamed and reworded: the rename search compares each removed section with
    # each added one, which must not normalise any section body more than once.
    old = "\n\n".join(f"## Old {n}\nClause {n} says {'word ' * 30}" for n in range(60))
    new = "\n\n".join(f"## New {n}\nClause {n} now says {'other ' * 30}" for n in range(60))
    calls = counting_normalisations(monkeypatch)

    summary = change_summary_build(old, new)

    assert len(summary["sections_removed"]) == len(summary["sections_added"]) == 60
    bodies = [text for text in calls if "\n" not in text and text.startswith("Clause")]
    assert len(bodies) == len(set(bodies)) == 120


def test_unchanged_sections_are_not_normalised(monkeypatch):
    sections = [f"## Part {n}\nThe user agrees to part {n}." for n in range(50)]
    changed = [*sections[:-1], "## Part 49\nThe user agrees to part 49 and more."]
    calls = counting_normalisations(monkeypatch)

    summary = change_summary_build("\n\n".join(sections), "\n\n".join(changed))

    assert summary["words_added"] == 2
    assert not [text for text in calls if "part 3." in text]


def test_a_reworded_section_normalises_each_distinct_paragraph_once(monkeypatch):
    kept = [f"Paragraph {n} stays as it was." for n in range(40)]
    old = "## Terms\n" + "\n".join(kept)
    new = "## Terms\n" + "\n".join([*kept, "One paragraph is new."])
    calls = counting_normalisations(monkeypatch)

    summary = change_summary_build(old, new)

    assert summary["words_added"] == 4
    paragraphs = [text for text in calls if "\n" not in text and text.startswith("Paragraph")]
    assert len(paragraphs) == len(set(paragraphs)) == 40


def test_each_heading_is_normalised_once_across_both_texts(monkeypatch):
    sections = [f"## Part {n}\nThe user agrees to part {n}." for n in range(30)]
    changed = [*sections[:-1], "## Part 29\nThe user agrees to part 29 and more."]
    calls = counting_normalisations(monkeypatch)

    change_summary_build("\n\n".join(sections), "\n\n".join(changed))

    headings = [text for text in calls if text.startswith("Part")]
    assert len(headings) == len(set(headings)) == 30


def test_only_passages_sharing_a_word_with_the_clause_are_compared():
    index = PassageIndex(
        "Cats sleep all day. Dogs bark at night. Birds sing in spring. We may close accounts."
    )

    windows = index._closest_windows("We may suspend accounts.", {"we", "may", "suspend"})

    assert windows and all({"we", "may"} & set(words) for _, _, words in windows)
    assert index.locate("We may suspend accounts.").passage.endswith("We may close accounts.")


def test_a_clause_found_verbatim_needs_no_sentence_index():
    index = PassageIndex("# Terms\n\nYou own your content. We may **suspend** accounts.\n")

    match = index.locate("we may suspend accounts")

    assert (match.status, match.similarity) == ("present", 1.0)
    assert index._sentences is None
    assert index.locate("We may close accounts.").status == "reworded"


def test_real_revision_summary_mistral():
    old = corpus_bytes("mistral-ai__terms-of-service", "v004.md").decode()
    new = corpus_bytes("mistral-ai__terms-of-service", "v005.md").decode()
    summary = change_summary_build(old, new)
    assert "5. Your use of Our Services" in summary["sections_added"]
    assert "5. Our Services" in summary["sections_removed"]
    reworded = {item["heading"]: item for item in summary["sections_reworded"]}
    assert reworded["Definitions"]["words_removed"] > 100


def test_a_one_phrase_change_is_marked_word_by_word():
    old = corpus_bytes("tiktok__privacy-policy", "v001.md").decode()
    new = corpus_bytes("tiktok__privacy-policy", "v002.md").decode()
    hunks = text_diff(old, new)
    inserted = [
        text
        for hunk in hunks
        for line in hunk.lines
        for operation, text in line.segments
        if operation == "insert" and line.kind == "replace"
    ]
    assert any("13 years old in Florida" in text for text in inserted)


@pytest.fixture
def two_versions(db):
    document = DocumentFactory()
    DocumentVersionFactory(document=document, number=1, text="# Terms\n\nWe keep your data.")
    DocumentVersionFactory(
        document=document,
        number=2,
        text="# Terms\n\nWe keep your data <script>alert('x')</script> forever.",
    )
    return document


def diff_url(document, old, new):
    return reverse(
        "documents:version_diff",
        kwargs={
            "platform_slug": document.platform.slug,
            "document_slug": document.slug,
            "from_number": old,
            "to_number": new,
        },
    )


def test_diff_page_escapes_the_text_before_marking_changes(
    client, two_versions, django_assert_max_num_queries
):
    url = diff_url(two_versions, 1, 2)
    assert url.endswith("/changes/1...2/")
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert re.search(
        r"<ins>[^<]*&lt;script&gt;alert\(&#x27;x&#x27;\)&lt;/script&gt;[^<]*</ins>", html
    )
    assert "<del>data.</del>" in html
    assert "Changes from version 1 to version 2" in html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (1, 3),
        (2, 1),
        (1, 1),
        (0, 2),
        # Past every integer column (SQLite's 64 bits, PostgreSQL's 32): not a server error.
        (1, 99999999999999999999),
        (1, 2**31),
        (2**63, 2**63 + 1),
    ],
)
def test_diff_page_with_bad_version_numbers_is_404(client, two_versions, old, new):
    assert client.get(diff_url(two_versions, old, new)).status_code == 404


def test_diff_page_of_an_unknown_document_is_404(client, two_versions):
    url = diff_url(two_versions, 1, 2).replace(two_versions.slug, "no-such-document")
    assert client.get(url).status_code == 404
