"""The shipped reading model: what the customer-success corpus taught, inside the package.

The rules (`offline.py`, `cues.py`, `risk.py`) know the patterns someone wrote
down; held-out customers use other words. This model reads the words and the
rules' own findings together: TF-IDF word n-grams and character n-grams (which
carry the other languages and the typos) plus the rule features of
`offline.features_of` (VADER, cue counts, risk signals), into three linear
heads — polarity, urgency and churn risk — and an isotonic map from the
polarity head's probability to a confidence that means what it says (fitted on
out-of-fold predictions of the dev split, so 0.8 is right about four times in
five). The same file carries the weights and threshold of the hybrid router
(`routing.py`), fitted on those out-of-fold readings too.

It is trained by `bench/train_reading_model.py` on the dev split of
`tests/data/corpus/` (see `docs/labeling.md`) and the dev splits of the public
sets, and stored as plain arrays (`data/reading_model.npz`: vocabularies,
IDF weights, coefficients), never as a pickle, so loading it runs no code and
any scikit-learn version reads it. The offline analyzer uses it when it is
present; the risk layer's floors still apply on top of whatever it says.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

POLARITY = ("negative", "neutral", "positive")
URGENCY = ("low", "medium", "high")
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "reading_model.npz"

_MENTION_RE = re.compile(r"@\w+")
_URL_RE = re.compile(r"https?://\S+")
_NUMBER_RE = re.compile(r"\d+")
_TOKEN_RE = re.compile(r"(?u)\b\w[\w']*\b")
_SPACES_RE = re.compile(r"\s\s+")

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)


def normalize(text: str) -> str:
    """Lower case, with handles, links and numbers reduced to placeholders."""
    text = _MENTION_RE.sub(" @user ", text)
    text = _URL_RE.sub(" http ", text)
    return _NUMBER_RE.sub("0", text.lower())


def word_grams(normalized: str) -> list[str]:
    tokens = _TOKEN_RE.findall(normalized)
    grams = list(tokens)
    low, high = WORD_NGRAMS
    for n in range(max(2, low), high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_grams(normalized: str) -> list[str]:
    """Character n-grams inside word boundaries (scikit-learn's `char_wb`)."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in _SPACES_RE.sub(" ", normalized).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            if n > length:
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


@dataclass(frozen=True)
class ModelReading:
    """The model's probabilities for one message."""

    polarity: dict[str, float]
    urgency: dict[str, float]
    churn: float
    confidence: float

    @property
    def label(self) -> str:
        return max(self.polarity, key=self.polarity.__getitem__)

    @property
    def urgency_label(self) -> str:
        return max(self.urgency, key=self.urgency.__getitem__)


class ReadingModel:
    """The fitted arrays and the arithmetic to apply them (no scikit-learn at run time)."""

    def __init__(
        self,
        *,
        version: str,
        word_vocabulary: Mapping[str, int],
        word_idf: np.ndarray,
        char_vocabulary: Mapping[str, int],
        char_idf: np.ndarray,
        feature_names: Sequence[str],
        coef: Mapping[str, np.ndarray],
        intercept: Mapping[str, np.ndarray],
        calibration_x: np.ndarray,
        calibration_y: np.ndarray,
        churn_threshold: float = 0.5,
        routing: Mapping[str, float] | None = None,
        metrics: Mapping[str, object] | None = None,
    ) -> None:
        self.version = version
        self.word_vocabulary = dict(word_vocabulary)
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_vocabulary = dict(char_vocabulary)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.feature_names = tuple(feature_names)
        self.coef = {head: np.asarray(values, dtype=np.float64) for head, values in coef.items()}
        self.intercept = {head: np.asarray(values, dtype=np.float64) for head, values in intercept.items()}
        self.calibration_x = np.asarray(calibration_x, dtype=np.float64)
        self.calibration_y = np.asarray(calibration_y, dtype=np.float64)
        self.churn_threshold = churn_threshold
        #: Thresholds `policy.claude_triggers` applies, fitted on out-of-fold readings of the dev split.
        self.routing = dict(routing or {})
        self.metrics = dict(metrics or {})
        self._word_count = len(self.word_vocabulary)
        self._char_count = len(self.char_vocabulary)

    # --- features --------------------------------------------------------------------------------

    def _tfidf(
        self, grams: list[str], vocabulary: dict[str, int], idf: np.ndarray
    ) -> tuple[list[int], np.ndarray]:
        counts = Counter(map(vocabulary.get, grams))
        counts.pop(None, None)
        if not counts:
            return [], np.zeros(0)
        indices = list(counts)
        sublinear = 1.0 + np.log(np.fromiter(counts.values(), float, len(indices)))
        weights = sublinear * idf[indices]
        norm = float(np.sqrt(weights @ weights))
        return indices, weights / norm if norm else weights

    def row(self, text: str, features: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The message as (column indices, values) over word, character and rule columns."""
        normalized = normalize(text)
        word_index, word_values = self._tfidf(word_grams(normalized), self.word_vocabulary, self.word_idf)
        char_index, char_values = self._tfidf(char_grams(normalized), self.char_vocabulary, self.char_idf)
        offset = self._word_count + self._char_count
        dense = np.fromiter((float(features.get(name, 0.0)) for name in self.feature_names), float,
                            len(self.feature_names))
        indices = np.concatenate([
            np.asarray(word_index, dtype=np.int64),
            np.asarray(char_index, dtype=np.int64) + self._word_count,
            np.arange(offset, offset + len(self.feature_names)),
        ])
        values = np.concatenate([word_values, char_values, dense])
        return indices, values

    # --- prediction ------------------------------------------------------------------------------

    def _decision(self, head: str, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        return values @ self.coef[head][indices] + self.intercept[head]

    def predict(self, text: str, features: Mapping[str, float]) -> ModelReading:
        indices, values = self.row(text, features)
        polarity = _softmax(self._decision("polarity", indices, values))
        urgency = _softmax(self._decision("urgency", indices, values))
        churn = _sigmoid(float(self._decision("churn", indices, values)[0]))
        confidence = self.calibrated(float(polarity.max()))
        return ModelReading(
            polarity=dict(zip(POLARITY, map(float, polarity), strict=True)),
            urgency=dict(zip(URGENCY, map(float, urgency), strict=True)),
            churn=churn,
            confidence=confidence,
        )

    def calibrated(self, probability: float) -> float:
        """The isotonic map from the polarity head's top probability to how often it is right."""
        if not len(self.calibration_x):
            return probability
        return float(np.interp(probability, self.calibration_x, self.calibration_y))

    # --- storage ---------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        header = {
            "version": self.version,
            "feature_names": list(self.feature_names),
            "churn_threshold": self.churn_threshold,
            "routing": self.routing,
            "metrics": self.metrics,
            "word_vocabulary": _ordered(self.word_vocabulary),
            "char_vocabulary": _ordered(self.char_vocabulary),
        }
        arrays = {
            "header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
            "word_idf": self.word_idf.astype(np.float32),
            "char_idf": self.char_idf.astype(np.float32),
            "calibration_x": self.calibration_x,
            "calibration_y": self.calibration_y,
        }
        for head in self.coef:
            arrays[f"coef_{head}"] = self.coef[head].astype(np.float32)
            arrays[f"intercept_{head}"] = self.intercept[head]
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it: a process loading the model never reads half a file.
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> ReadingModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            heads = [name[len("coef_"):] for name in data.files if name.startswith("coef_")]
            return cls(
                version=header["version"],
                word_vocabulary={gram: i for i, gram in enumerate(header["word_vocabulary"])},
                word_idf=data["word_idf"],
                char_vocabulary={gram: i for i, gram in enumerate(header["char_vocabulary"])},
                char_idf=data["char_idf"],
                feature_names=header["feature_names"],
                coef={head: data[f"coef_{head}"] for head in heads},
                intercept={head: data[f"intercept_{head}"] for head in heads},
                calibration_x=data["calibration_x"],
                calibration_y=data["calibration_y"],
                churn_threshold=float(header["churn_threshold"]),
                routing=header.get("routing", {}),
                metrics=header.get("metrics", {}),
            )


def _ordered(vocabulary: Mapping[str, int]) -> list[str]:
    ordered = [""] * len(vocabulary)
    for gram, index in vocabulary.items():
        ordered[index] = gram
    return ordered


def _sigmoid(value: float) -> float:
    """The logistic function without overflow for large |value| (a very long text sums many weights)."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


@cache
def shipped_model() -> ReadingModel | None:
    """The model shipped with the package, or None when it is not there (a source tree before training)."""
    if not DEFAULT_PATH.exists():
        return None
    return ReadingModel.load(DEFAULT_PATH)
