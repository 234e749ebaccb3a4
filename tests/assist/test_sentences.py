from apps.assist.sentences import version_sentences
from apps.provisions.clause_text import clause_found_in
from tests.assist.conftest import LIABILITY, TERMINATION, TERMS


def test_a_version_is_split_into_the_sentences_a_curator_would_quote():
    # Headings (both Markdown styles) and the three-word greeting are left out; lines of one
    # paragraph or list item are joined, then split at sentence ends.
    assert [sentence.text for sentence in version_sentences(TERMS)] == [
        "These terms explain how our service works.",
        "By accessing or using the Service, you agree to be bound by these Terms.",
        "We may modify these Terms at any time by posting the revised Terms on our website.",
        TERMINATION,
        "We may remove any content you post, at our sole discretion, without notice.",
        "You can download the app from the App Store or Google Play.",
        LIABILITY,
        "These Terms are governed by the laws of the State of California, without regard to "
        "its conflict of law provisions.",
        "You agree that the courts of Dublin, Ireland have exclusive jurisdiction over any claim.",
        "Any dispute arising out of these Terms will be resolved by binding arbitration.",
        "Please contact our support team if you have questions about your order.",
    ]
    assert [sentence.position for sentence in version_sentences(TERMS)] == list(range(11))


def test_every_sentence_is_found_in_the_text_it_came_from():
    for sentence in version_sentences(TERMS):
        assert clause_found_in(clause_text=sentence.text, text=TERMS)


def test_tables_link_lists_bold_headings_and_short_fragments_are_left_out():
    text = (
        "| Column one | Column two has five words |\n|---|---|\n\n"
        "[1. Our Mission.](#EU1)\n\n"
        "**12.7 Termination or Suspension for Nonpayment**.\n\n"
        "1. We may change these terms. You will be told by email in advance.\n"
        "2) Short item.\n"
    )
    assert [sentence.text for sentence in version_sentences(text)] == [
        "We may change these terms.",
        "You will be told by email in advance.",
    ]
