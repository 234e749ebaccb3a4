"""The clause classifier: trained on the in-repo sample it labels obvious sentences; a stored
model reads back identical, and a missing or corrupt file makes the small model stand in."""

import json
import zipfile

import numpy as np
import pytest

from apps.assist.classifier import (
    SAMPLE_PATH,
    SMALL_MODEL_NAME,
    ClauseClassifier,
    ModelFileError,
    TrainingDataError,
    classifier_for,
    model_file_problem,
    sentence_tokens,
    small_classifier,
    training_examples_read,
)
from apps.assist.labels import LABELS
from tests.assist.conftest import EXPECTED_LABELS, NOT_CLAUSES


def test_trained_on_the_sample_it_labels_obvious_sentences():
    sentences = list(EXPECTED_LABELS) + NOT_CLAUSES
    predictions = small_classifier().predict(sentences)
    found = {
        sentence: {prediction.label for prediction in predicted}
        for sentence, predicted in zip(sentences, predictions, strict=True)
    }
    assert found == {**EXPECTED_LABELS, **{sentence: set() for sentence in NOT_CLAUSES}}
    for predicted in predictions:
        assert all(0.5 < prediction.confidence <= 1 for prediction in predicted)


def test_sentences_are_read_as_the_training_data_spells_them():
    assert sentence_tokens(
        "We **don't** refund [fees](https://x.example/fees), Company's call."
    ) == ("we do n't refund fees , company 's call .")


def test_a_stored_model_reads_back_identical(trained_model_file):
    loaded = ClauseClassifier.load(trained_model_file)
    sentences = list(EXPECTED_LABELS)
    assert np.allclose(loaded.margins(sentences), small_classifier().margins(sentences), atol=1e-4)
    assert loaded.name == "test model"


def test_a_missing_model_file_falls_back_to_the_small_model(tmp_path):
    active = classifier_for(tmp_path / "none.npz")
    assert active.classifier.name == SMALL_MODEL_NAME
    assert "No model file at" in active.fallback_reason
    assert "train_clause_model" in active.fallback_reason


def test_the_trained_model_is_used_when_sound(trained_model_file):
    active = classifier_for(trained_model_file)
    assert active.classifier.name == "test model"
    assert active.fallback_reason == ""
    assert model_file_problem(trained_model_file) == ""


def _copy(source, target, *, edit=None):
    with np.load(source, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if edit:
        edit(arrays)
    with open(target, "wb") as stream:
        np.savez_compressed(stream, **arrays)


def _scale_coefficients(arrays):
    arrays["coef"] = arrays["coef"] * 2


def _other_labels(arrays):
    meta = json.loads(str(arrays["meta"]))
    arrays["meta"] = np.array(json.dumps({**meta, "labels": ["Something else"]}))


def _object_array(arrays):
    # An object array can only be read with pickle, which loading never allows.
    arrays["coef"] = np.array([{"code": "would run on unpickling"}], dtype=object)


@pytest.mark.parametrize(
    ("corrupt", "problem"),
    [
        (lambda source, target: target.write_bytes(source.read_bytes()[:1000]), "cannot be read"),
        (lambda source, target: target.write_bytes(b"not a model"), "cannot be read"),
        (lambda source, target: _copy(source, target, edit=_scale_coefficients), "checksum"),
        (lambda source, target: _copy(source, target, edit=_other_labels), "other categories"),
        (lambda source, target: _copy(source, target, edit=_object_array), "cannot be read"),
    ],
    ids=["truncated", "not-a-zip", "altered", "other-labels", "pickled-object"],
)
def test_a_corrupt_model_file_is_refused_and_the_small_model_stands_in(
    trained_model_file, tmp_path, corrupt, problem
):
    target = tmp_path / "model.npz"
    corrupt(trained_model_file, target)
    with pytest.raises(ModelFileError, match=problem):
        ClauseClassifier.load(target)
    active = classifier_for(target)
    assert active.classifier.name == SMALL_MODEL_NAME
    assert problem in active.fallback_reason


def test_a_flipped_byte_inside_the_archive_is_caught(trained_model_file, tmp_path):
    target = tmp_path / "model.npz"
    with zipfile.ZipFile(trained_model_file) as source:
        members = {name: source.read(name) for name in source.namelist()}
    coef = bytearray(members["coef.npy"])
    coef[-1] ^= 0xFF
    members["coef.npy"] = bytes(coef)
    with zipfile.ZipFile(target, "w") as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)
    assert "checksum" in model_file_problem(target)


def test_a_retrained_file_is_read_again(trained_model_file, tmp_path):
    target = tmp_path / "model.npz"
    assert "No model file" in model_file_problem(target)
    target.write_bytes(trained_model_file.read_bytes())
    assert model_file_problem(target) == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"sentence": "fine", "labels": []}\n{not json\n', "line 2: not JSON"),
        ('{"labels": []}\n', 'line 1: expected an object with a "sentence" string'),
        ('{"sentence": "x", "labels": "Arbitration"}\n', "must be a list"),
        ('{"sentence": "x", "labels": ["Arbitrage"]}\n', "unknown categories ['Arbitrage']"),
        ("\n\n", "holds no training examples"),
    ],
)
def test_a_bad_training_file_is_refused_with_its_line(tmp_path, content, message):
    path = tmp_path / "train.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        training_examples_read(path)


def test_a_training_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"sentence": "caf\xe9", "labels": []}\n')
    with pytest.raises(TrainingDataError, match="is not UTF-8 text"):
        training_examples_read(path)
    compressed = tmp_path / "train.jsonl.gz"
    compressed.write_bytes(b"not gzip at all")
    with pytest.raises(TrainingDataError, match="Cannot read"):
        training_examples_read(compressed)


def test_the_sample_holds_every_category():
    examples = training_examples_read(SAMPLE_PATH)
    labels = {label for example in examples for label in example.labels}
    assert labels == set(LABELS)
