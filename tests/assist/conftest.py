from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from apps.assist.classifier import SAMPLE_PATH, ClauseClassifier, training_examples_read

# A short terms of service with one obvious sentence per category and a few that are none.
TERMS = """\
Terms of Service
================

Welcome to Example. These terms explain how our service works.

## Acceptance

By accessing or using the Service, you agree to be bound by these Terms.

## Changes

We may modify these Terms at any time by posting the revised Terms on our website.

## Your account

We may suspend or terminate your account at any time, for any reason, without notice.
We may remove any content you post, at our sole discretion, without notice.
You can download the app from the App Store or Google Play.

## Liability

In no event shall we be liable for any indirect, incidental or consequential damages.

## Disputes

- These Terms are governed by the laws of the State of California, without regard to its
  conflict of law provisions.
- You agree that the courts of Dublin, Ireland have exclusive jurisdiction over any claim.
- Any dispute arising out of these Terms will be resolved by binding arbitration.

Please contact our support team if you have questions about your order.
"""

LIABILITY = "In no event shall we be liable for any indirect, incidental or consequential damages."
TERMINATION = (
    "We may suspend or terminate your account at any time, for any reason, without notice."
)
EXPECTED_LABELS = {
    "By accessing or using the Service, you agree to be bound by these Terms.": {
        "Contract by using"
    },
    "We may modify these Terms at any time by posting the revised Terms on our website.": {
        "Unilateral change"
    },
    TERMINATION: {"Unilateral termination"},
    "We may remove any content you post, at our sole discretion, without notice.": {
        "Content removal"
    },
    LIABILITY: {"Limitation of liability"},
    "These Terms are governed by the laws of the State of California, without regard to its "
    "conflict of law provisions.": {"Choice of law"},
    "You agree that the courts of Dublin, Ireland have exclusive jurisdiction over any claim.": {
        "Jurisdiction"
    },
    "Any dispute arising out of these Terms will be resolved by binding arbitration.": {
        "Arbitration"
    },
}
NOT_CLAUSES = [
    "Welcome to Example.",
    "You can download the app from the App Store or Google Play.",
    "Please contact our support team if you have questions about your order.",
]


@pytest.fixture(scope="session")
def trained_model_file(tmp_path_factory) -> Path:
    """A model file as `train_clause_model` writes it, trained on the in-repo sample."""
    path = tmp_path_factory.mktemp("clause-model") / "model.npz"
    ClauseClassifier.train(training_examples_read(SAMPLE_PATH), name="test model").save(path)
    return path


@pytest.fixture
def classification_on(settings, tmp_path):
    """Versions are classified when recorded, with no trained model file (the small one)."""
    settings.CLAUSE_SUGGESTIONS_ENABLED = True
    settings.CLAUSE_MODEL_PATH = tmp_path / "missing-model.npz"
    return settings


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser(
        email="curator@conductatlas.test", password="a long curator password"
    )
