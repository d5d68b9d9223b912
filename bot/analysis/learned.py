"""Learning a team's language: a small model trained on their labeled messages.

`tonewatch train LABELED.csv` fits TF-IDF word and character n-grams plus the
offline analyzer's own features (VADER's scores, the customer-success cue
counts) into one logistic regression. The rules carry what every customer
says; the n-grams pick up what this team's customers say (their product's
names, their own shorthand for "broken"). The offline analyzer blends
the model's probabilities with its rule score; everything but the label and
score stays rule-based.

The fitted model is serialized with pickle (`to_bytes`) for the database the
lead stores it in; only load bytes this process or its own database wrote.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from storage.errors import UserError

FORMAT_VERSION = 1
_MAGIC = b"TWLM"
LABELS = ("negative", "neutral", "positive")
MIN_ROWS = 20
MIN_PER_CLASS = 3

#: How much the dense rule features weigh next to the n-gram columns; TF-IDF
#: rows have unit norm, so without this the rules would be drowned out.
DENSE_SCALE = 1.0
REGULARIZATION_C = 4.0
#: Share of the final score taken from the model (the rest from the rules).
DEFAULT_BLEND_WEIGHT = 0.8

FeatureFn = Callable[[str], Mapping[str, float]]

_MENTION_RE = re.compile(r"@\w+")
_URL_RE = re.compile(r"https?://\S+")
_NUMBER_RE = re.compile(r"\d+")


class TrainingDataError(UserError):
    """Labeled data a model cannot be trained on, with the reason."""


def _normalize(text: str) -> str:
    """Lower case, with handles, links and numbers reduced to placeholders."""
    text = _MENTION_RE.sub(" @user ", text)
    text = _URL_RE.sub(" http ", text)
    return _NUMBER_RE.sub("0", text.lower())


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(
        preprocessor=_normalize, ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w["
                                                                                                r"\w']*\b"
    )
    chars = TfidfVectorizer(
        preprocessor=_normalize, analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
        max_features=60_000,
    )
    return words, chars


def _classifier(c: float):
    from sklearn.linear_model import LogisticRegression

    # newton-cg converges in a few iterations on these wide sparse matrices, where lbfgs needs hundreds.
    return LogisticRegression(C=c, class_weight="balanced", max_iter=1000, solver="newton-cg")


@dataclass
class LearnedModel:
    """A fitted text classifier over negative / neutral / positive."""

    model_id: str
    labels: tuple[str, ...]
    feature_names: tuple[str, ...]
    word_vectorizer: object
    char_vectorizer: object
    classifier: object
    trained_on: int
    metrics: dict = field(default_factory=dict)
    blend_weight: float = DEFAULT_BLEND_WEIGHT
    format_version: int = FORMAT_VERSION

    # --- training --------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        feature_fn: FeatureFn,
        *,
        folds: int = 5,
        c: float = REGULARIZATION_C,
    ) -> LearnedModel:
        """Train on labeled texts; `metrics` holds the cross-validated macro-F1.

        The vocabularies are fitted once on all texts (no labels involved);
        the classifier is cross-validated on them for the reported metrics,
        then refitted on everything.
        """
        texts, labels = _checked(texts, labels)
        feature_rows = [dict(feature_fn(text)) for text in texts]
        feature_names = tuple(sorted(feature_rows[0]))
        words, chars = _vectorizers()
        matrix = sparse.hstack(
            [words.fit_transform(texts), chars.fit_transform(texts),
             sparse.csr_matrix(_dense(feature_rows, feature_names))],
            format="csr",
        )
        label_array = np.array(labels)
        out_of_fold, classes = _out_of_fold(matrix, label_array, folds, c)
        metrics = _metrics(out_of_fold, label_array, classes, folds)
        classifier = _classifier(c)
        classifier.fit(matrix, label_array)
        digest = hashlib.sha256()
        for text, label in zip(texts, labels, strict=True):
            digest.update(label.encode() + b"\x1f" + text.encode("utf-8", "replace") + b"\x1e")
        return cls(
            model_id=digest.hexdigest()[:12],
            labels=tuple(str(label) for label in classifier.classes_),
            feature_names=feature_names,
            word_vectorizer=words,
            char_vectorizer=chars,
            classifier=classifier,
            trained_on=len(texts),
            metrics=metrics,
        )

    # --- prediction ------------------------------------------------------------------

    def predict_proba(self, text: str, features: Mapping[str, float]) -> dict[str, float]:
        """Probability of each label for one text and its rule features."""
        dense = _dense([features], self.feature_names)
        matrix = sparse.hstack(
            [
                self.word_vectorizer.transform([text]),  # type: ignore[attr-defined]
                self.char_vectorizer.transform([text]),  # type: ignore[attr-defined]
                sparse.csr_matrix(dense),
            ],
            format="csr",
        )
        probabilities = self.classifier.predict_proba(matrix)[0]  # type: ignore[attr-defined]
        result = {label: 0.0 for label in LABELS}
        for label, probability in zip(self.labels, probabilities, strict=True):
            result[label] = float(probability)
        return result

    # --- storage ---------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        payload = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        return _MAGIC + bytes([FORMAT_VERSION]) + zlib.compress(payload, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> LearnedModel:
        """Load a model written by `to_bytes`; raises ValueError for anything else."""
        if len(data) < 5 or data[:4] != _MAGIC:
            raise ValueError("not a Tonewatch learned model")
        if data[4] != FORMAT_VERSION:
            raise ValueError(f"learned model format {data[4]} is not supported (expected {FORMAT_VERSION}); "
                             f"retrain")
        try:
            model = pickle.load(io.BytesIO(zlib.decompress(data[5:])))
        except (zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise ValueError(f"learned model is corrupt: {exc}") from exc
        if not isinstance(model, cls):
            raise ValueError("learned model bytes hold something else")
        return model


def _checked(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    if len(texts) != len(labels):
        raise TrainingDataError(f"{len(texts)} texts but {len(labels)} labels")
    clean_texts: list[str] = []
    clean_labels: list[str] = []
    for row, (text, label) in enumerate(zip(texts, labels, strict=True), start=1):
        label = str(label).strip().lower()
        if label not in LABELS:
            raise TrainingDataError(f"row {row}: label {label!r} is not one of {', '.join(LABELS)}")
        text = str(text).strip()
        if text:
            clean_texts.append(text)
            clean_labels.append(label)
    if len(clean_texts) < MIN_ROWS:
        raise TrainingDataError(f"{len(clean_texts)} labeled texts; at least {MIN_ROWS} are needed")
    counts = Counter(clean_labels)
    thin = [label for label in LABELS if 0 < counts.get(label, 0) < MIN_PER_CLASS]
    if len(counts) < 2:
        raise TrainingDataError("all texts have the same label; a model needs at least two")
    if thin:
        raise TrainingDataError(
            f"too few examples of {', '.join(thin)} (at least {MIN_PER_CLASS} each are needed)"
        )
    return clean_texts, clean_labels


def _dense(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[float(row.get(name, 0.0)) for name in names] for row in rows]) * DENSE_SCALE


def _out_of_fold(matrix, labels: np.ndarray, folds: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's class probabilities from a classifier that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    classes = np.array(sorted(set(labels.tolist())))
    smallest = min(Counter(labels.tolist()).values())
    splitter = StratifiedKFold(n_splits=max(2, min(folds, smallest)), shuffle=True, random_state=0)
    out = np.zeros((len(labels), len(classes)))
    for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
        classifier = _classifier(c)
        classifier.fit(matrix[train_index], labels[train_index])
        columns = [int(np.searchsorted(classes, label)) for label in classifier.classes_]
        out[np.ix_(test_index, columns)] = classifier.predict_proba(matrix[test_index])
    return out, classes


def _metrics(out_of_fold: np.ndarray, labels: np.ndarray, classes: np.ndarray, folds: int) -> dict:
    from bot.analysis.metrics import evaluate

    plain = evaluate(labels.tolist(), classes[out_of_fold.argmax(axis=1)].tolist())
    counts = Counter(labels.tolist())
    return {
        "cv_macro_f1": round(plain["macro_f1"], 4),
        "cv_accuracy": round(plain["accuracy"], 4),
        "cv_folds": max(2, min(folds, min(counts.values()))),
        "label_counts": {label: counts.get(label, 0) for label in LABELS},
    }
