import pytest
from django.core.management import CommandError, call_command

from apps.assist.classifier import SAMPLE_PATH, ClauseClassifier, model_file_problem


def test_train_clause_model_stores_the_model_the_service_reads(tmp_path, settings, capsys):
    settings.CLAUSE_MODEL_PATH = tmp_path / "var" / "model.npz"
    assert "No model file" in model_file_problem(settings.CLAUSE_MODEL_PATH)

    call_command("train_clause_model", "--train", str(SAMPLE_PATH))

    assert "Trained on 1830 sentences (630 with a category)" in capsys.readouterr().out
    assert model_file_problem(settings.CLAUSE_MODEL_PATH) == ""
    assert "seed 0" in ClauseClassifier.load(settings.CLAUSE_MODEL_PATH).name


def test_a_bad_training_file_is_a_clear_error_and_no_model_is_written(tmp_path, settings):
    settings.CLAUSE_MODEL_PATH = tmp_path / "model.npz"
    bad = tmp_path / "train.jsonl"
    bad.write_text('{"sentence": "ok", "labels": []}\n{"sentence": 3}\n', encoding="utf-8")

    with pytest.raises(CommandError, match="line 2"):
        call_command("train_clause_model", "--train", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("train_clause_model", "--train", str(tmp_path / "missing.jsonl"))
    assert not settings.CLAUSE_MODEL_PATH.exists()
