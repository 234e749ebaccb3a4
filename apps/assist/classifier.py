"""The clause classifier: which UNFAIR-ToS categories a sentence of terms of service falls in.

TF-IDF of words (1- and 2-grams) and of characters (2- to 5-grams inside words) feeds one linear
SVM per category, with classes weighted by their rarity (89 % of sentences carry no category).
On UNFAIR-ToS's validation documents this scores like the published TF-IDF + SVM baseline
(`benchmarks/clauses.py` prints the figures); it trains in seconds, so the same code serves as
the trained model and as the small fallback trained at first use on the sample in `data/`.

A trained model is stored as a NumPy archive of plain arrays (vocabularies, IDF weights, SVM
coefficients) and read back with `allow_pickle=False`, so loading a model file never runs code.
Its metadata carries a SHA-256 of the arrays, checked on load: a truncated or altered file is
refused and the caller falls back to the small model."""

import functools
import gzip
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from apps.assist.labels import LABELS

FORMAT = "conductatlas-clause-svm/1"
SAMPLE_PATH = Path(__file__).resolve().parent / "data" / "unfair_tos_sample.jsonl.gz"

_WORD_OPTIONS = {
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    # One-letter words count ("a", "i"), as in the tokenised training text.
    "token_pattern": r"(?u)\b\w+\b",
}
_CHAR_OPTIONS = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True}
SVM_C = 0.5
_ARRAY_NAMES = ("word_terms", "word_idf", "char_terms", "char_idf", "coef", "intercept")
SMALL_MODEL_NAME = "small model (in-repo sample)"


class TrainingDataError(ValueError):
    """A training file that cannot be read; the message names the file and line."""


class ModelFileError(Exception):
    """A model file that is missing, corrupt or of another format; the message says which."""


@dataclass(frozen=True)
class TrainingExample:
    sentence: str
    labels: frozenset[str]


# Markdown around the words (emphasis, link targets, escapes, list and heading markers): the
# training sentences are plain text, so the classifier reads a sentence without them.
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`]{1,3}|\\(?=[^\w\s])|^\s*(?:#{1,6}|>|[-*+])\s+")
_TOKEN = re.compile(r"https?://\S+|n't|'s\b|\w+(?:-\w+)*|[^\w\s]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def sentence_tokens(text: str) -> str:
    """A sentence as the training data spells it: lower-cased, punctuation and clitics ("'s",
    "n't") split off as tokens, as in LexGLUE's UNFAIR-ToS."""
    plain = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", text)).translate(_QUOTES).lower()
    plain = re.sub(r"(\w)n't\b", r"\1 n't", plain)
    return " ".join(_TOKEN.findall(plain))


def training_examples_read(path: Path) -> list[TrainingExample]:
    """Examples from a JSON Lines file in UNFAIR-ToS's format (`sentence`, `labels`); `.gz` is
    read compressed. A bad line stops the read with its line number, so nothing is trained on
    half a file."""
    opener = gzip.open if path.suffix == ".gz" else open
    examples = []
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                examples.append(_example_parse(line, where=f"{path}, line {number}"))
    except OSError as error:
        raise TrainingDataError(f"Cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise TrainingDataError(f"{path} is not UTF-8 text ({error.reason}).") from error
    if not examples:
        raise TrainingDataError(f"{path} holds no training examples.")
    return examples


def _example_parse(line: str, *, where: str) -> TrainingExample:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise TrainingDataError(f"{where}: not JSON ({error.msg}).") from error
    if not isinstance(row, dict) or not isinstance(row.get("sentence"), str):
        raise TrainingDataError(f'{where}: expected an object with a "sentence" string.')
    labels = row.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise TrainingDataError(f'{where}: "labels" must be a list of category names.')
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise TrainingDataError(f"{where}: unknown categories {unknown}; known: {list(LABELS)}.")
    return TrainingExample(sentence=row["sentence"], labels=frozenset(labels))


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


class ClauseClassifier:
    def __init__(
        self,
        *,
        word_vectorizer: TfidfVectorizer,
        char_vectorizer: TfidfVectorizer,
        coef: np.ndarray,
        intercept: np.ndarray,
        name: str,
    ):
        self.word_vectorizer = word_vectorizer
        self.char_vectorizer = char_vectorizer
        self.coef = coef
        self.intercept = intercept
        self.name = name

    @classmethod
    def train(
        cls, examples: Sequence[TrainingExample], *, seed: int = 0, name: str
    ) -> "ClauseClassifier":
        texts = [sentence_tokens(example.sentence) for example in examples]
        word = TfidfVectorizer(min_df=2, **_WORD_OPTIONS)
        char = TfidfVectorizer(min_df=2, **_CHAR_OPTIONS)
        features = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
        coef = np.zeros((len(LABELS), features.shape[1]), dtype=np.float32)
        intercept = np.zeros(len(LABELS), dtype=np.float32)
        for column, label in enumerate(LABELS):
            targets = np.array([label in example.labels for example in examples])
            if not targets.any():
                # A category absent from the data is never predicted (an intercept below 0).
                intercept[column] = -1.0
                continue
            svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=seed)
            svm.fit(features, targets)
            coef[column], intercept[column] = svm.coef_[0], svm.intercept_[0]
        return cls(
            word_vectorizer=word,
            char_vectorizer=char,
            coef=coef,
            intercept=intercept,
            name=name,
        )

    def margins(self, sentences: Iterable[str]) -> np.ndarray:
        """One row per sentence, one column per label of LABELS: above 0 means the category."""
        texts = [sentence_tokens(sentence) for sentence in sentences]
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        features = hstack(
            [self.word_vectorizer.transform(texts), self.char_vectorizer.transform(texts)]
        ).tocsr()
        return features @ self.coef.T + self.intercept

    def predict(self, sentences: Sequence[str]) -> list[list[Prediction]]:
        """The categories of each sentence (often none), most confident first. Confidence is the
        SVM margin squashed into 0–1 (0.5 at the decision boundary), not a calibrated
        probability: it orders suggestions, it does not promise a hit rate."""
        results = []
        for row in self.margins(sentences):
            found = [
                Prediction(label=LABELS[column], confidence=float(1 / (1 + np.exp(-2 * margin))))
                for column, margin in enumerate(row)
                if margin > 0
            ]
            results.append(sorted(found, key=lambda prediction: -prediction.confidence))
        return results

    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            "word_terms": _terms(self.word_vectorizer),
            "word_idf": self.word_vectorizer.idf_.astype(np.float64),
            "char_terms": _terms(self.char_vectorizer),
            "char_idf": self.char_vectorizer.idf_.astype(np.float64),
            "coef": self.coef,
            "intercept": self.intercept,
        }

    def save(self, path: Path) -> None:
        """Writes the model next to `path` and moves it into place, so a reader never sees half
        a file."""
        arrays = self._arrays()
        meta = {
            "format": FORMAT,
            "name": self.name,
            "labels": list(LABELS),
            "sha256": _arrays_digest(arrays),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez_compressed(stream, meta=np.array(json.dumps(meta)), **arrays)
            # Readable by the web and worker processes, which may run as other users.
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> "ClauseClassifier":
        if not path.is_file():
            raise ModelFileError(f"No model file at {path}.")
        try:
            with np.load(path, allow_pickle=False) as archive:
                meta = json.loads(str(archive["meta"]))
                arrays = {name: archive[name] for name in archive.files if name != "meta"}
        except Exception as error:  # zip, CRC, JSON or array errors: all mean "corrupt"
            raise ModelFileError(f"The model file {path} cannot be read ({error}).") from error
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelFileError(f"The model file {path} is not a {FORMAT} model.")
        if meta.get("labels") != list(LABELS):
            raise ModelFileError(f"The model file {path} was trained for other categories.")
        if set(arrays) != set(_ARRAY_NAMES) or (_arrays_digest(arrays) != meta.get("sha256")):
            raise ModelFileError(f"The model file {path} fails its checksum.")
        return cls(
            word_vectorizer=_vectorizer(arrays["word_terms"], arrays["word_idf"], _WORD_OPTIONS),
            char_vectorizer=_vectorizer(arrays["char_terms"], arrays["char_idf"], _CHAR_OPTIONS),
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            name=str(meta.get("name", "")),
        )


def _terms(vectorizer: TfidfVectorizer) -> np.ndarray:
    return np.array(vectorizer.get_feature_names_out(), dtype=str)


def _vectorizer(terms: np.ndarray, idf: np.ndarray, options: dict) -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(
        vocabulary={str(term): index for index, term in enumerate(terms)}, **options
    )
    vectorizer.idf_ = idf
    return vectorizer


def _arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ActiveClassifier:
    classifier: ClauseClassifier
    fallback_reason: str  # why the small model stands in; empty when the trained model is used


@functools.cache
def small_classifier() -> ClauseClassifier:
    """The fallback: trained in a few seconds on the sample shipped in this app, once per
    process."""
    return ClauseClassifier.train(training_examples_read(SAMPLE_PATH), name=SMALL_MODEL_NAME)


@functools.lru_cache(maxsize=4)
def _trained_classifier(path: Path, stamp: tuple[int, int] | None) -> ClauseClassifier | str:
    try:
        return ClauseClassifier.load(path)
    except ModelFileError as error:
        return str(error)


def _trained_for(path: Path) -> ClauseClassifier | str:
    """The model at `path` or why it cannot be used, read once per version of the file (a
    retrained file is read again)."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None
    return _trained_classifier(path, stamp)


def model_file_problem(path: Path) -> str:
    """Why the model file at `path` cannot be used, or "" when it can."""
    found = _trained_for(path)
    return found if isinstance(found, str) else ""


def classifier_for(path: Path) -> ActiveClassifier:
    """The trained model at `path`, or the small model with the reason it stands in."""
    found = _trained_for(path)
    if isinstance(found, ClauseClassifier):
        return ActiveClassifier(classifier=found, fallback_reason="")
    return ActiveClassifier(
        classifier=small_classifier(),
        fallback_reason=f"{found} The {SMALL_MODEL_NAME} stands in; run "
        "`manage.py train_clause_model` to train the full one.",
    )
