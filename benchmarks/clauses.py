"""The clause classifier on UNFAIR-ToS: quality per category, training time and speed.

Trains the classifier the service uses (apps/assist/classifier.py) on the training split once
per seed, or loads a stored model (`--model`), classifies every sentence of FILE (JSON Lines in
the format of validation.jsonl; validation.jsonl by default) and prints:

- per seed: training time, sentences/s classifying FILE, macro- and micro-F1;
- the F1 of each category (mean ± sd over seeds);
- macro- and micro-F1 both over the 8 categories and the way LexGLUE reports UNFAIR-ToS (the 8
  categories plus an implicit "none" class for sentences with no category), which is how the
  published figures (TF-IDF + SVM 75.0, BERT 81.3, Legal-BERT 83.0 macro-F1) were computed;
- the machine's load average before and after, since the machine may be shared.

The closing line gives the LexGLUE macro-F1:
`macro-F1 <mean> ± <sd> over <n> seeds, <sentences/s> sentences/s`.

    .venv/bin/python benchmarks/clauses.py [--eval FILE] [--train FILE] [--seeds 3] [--model FILE]

Never point --eval at UNFAIR-ToS's test split: it is kept apart to measure the project.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from apps.assist.classifier import (  # noqa: E402
    ClauseClassifier,
    TrainingDataError,
    training_examples_read,
)
from apps.assist.labels import LABELS  # noqa: E402

DATA = REPO.parent / "shared" / "benchmarks" / "unfair_tos"


def label_matrix(label_sets) -> np.ndarray:
    return np.array([[label in labels for label in LABELS] for labels in label_sets], dtype=int)


def with_none(matrix: np.ndarray) -> np.ndarray:
    return np.hstack([matrix, (matrix.sum(axis=1) == 0)[:, None].astype(int)])


def scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    def f1(average, a, b):
        return 100 * f1_score(a, b, average=average, zero_division=0)

    return {
        "macro": f1("macro", with_none(truth), with_none(predicted)),
        "micro": f1("micro", with_none(truth), with_none(predicted)),
        "macro8": f1("macro", truth, predicted),
        "micro8": f1("micro", truth, predicted),
        **{
            label: 100 * f1_score(truth[:, column], predicted[:, column], zero_division=0)
            for column, label in enumerate(LABELS)
        },
    }


def spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):5.1f} ± {sd:3.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DATA / "validation.jsonl")
    parser.add_argument("--train", type=Path, default=DATA / "train.jsonl")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--model", type=Path, help="a stored model to evaluate instead")
    args = parser.parse_args()

    try:
        evaluation = training_examples_read(args.eval)
        training = None if args.model else training_examples_read(args.train)
    except TrainingDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sentences = [example.sentence for example in evaluation]
    truth = label_matrix(example.labels for example in evaluation)

    load_before = os.getloadavg()
    labelled = int(truth.any(axis=1).sum())
    print(f"eval: {args.eval} ({len(sentences)} sentences, {labelled} with a category)")
    if training is not None:
        print(f"train: {args.train} ({len(training)} sentences)")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before")
    print()
    print(f"{'seed':>4}  {'train s':>7}  {'sent/s':>7}  {'macro':>5}  {'micro':>5}  {'macro8':>6}")

    runs, speeds = [], []
    for seed in range(1 if args.model else args.seeds):
        started = time.perf_counter()
        if args.model:
            classifier = ClauseClassifier.load(args.model)
        else:
            classifier = ClauseClassifier.train(training, seed=seed, name=f"seed {seed}")
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = (classifier.margins(sentences) > 0).astype(int)
        speed = len(sentences) / (time.perf_counter() - started)
        result = scores(truth, predicted)
        runs.append(result)
        speeds.append(speed)
        label = "load" if args.model else str(seed)
        print(
            f"{label:>4}  {trained:7.1f}  {speed:7.0f}  {result['macro']:5.1f}  "
            f"{result['micro']:5.1f}  {result['macro8']:6.1f}"
        )

    print()
    print(f"{'category':<26} {'F1 (mean ± sd)':>14}  {'in eval':>7}")
    for column, label in enumerate(LABELS):
        support = int(truth[:, column].sum())
        print(f"{label:<26} {spread([run[label] for run in runs]):>14}  {support:>7}")
    print()
    for key, title in (
        ("macro8", "macro-F1, 8 categories"),
        ("micro8", "micro-F1, 8 categories"),
        ("macro", "macro-F1, LexGLUE (8 + none)"),
        ("micro", "micro-F1, LexGLUE (8 + none)"),
    ):
        print(f"{title:<29} {spread([run[key] for run in runs])}")
    print("published (test split, LexGLUE macro-F1): TF-IDF+SVM 75.0, BERT 81.3, Legal-BERT 83.0")
    print(f"load average {os.getloadavg()[0]:.1f} after")
    print(closing_line(runs, speeds))
    return 0


def closing_line(runs: list[dict], speeds: list[float]) -> str:
    """The last line the issue asks for: mean and spread of the LexGLUE macro-F1 over seeds."""
    macro = [run["macro"] for run in runs]
    sd = statistics.stdev(macro) if len(macro) > 1 else 0.0
    return (
        f"macro-F1 {statistics.mean(macro):.1f} ± {sd:.1f} over {len(runs)} seeds, "
        f"{statistics.mean(speeds):.0f} sentences/s"
    )


if __name__ == "__main__":
    sys.exit(main())
