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

Messages are read in batches (`predict_many`; `predict` is a batch of one): the
n-grams of all of them are found, counted and weighted with array arithmetic,
and each message's sums run over its own terms in a fixed order, so a message
reads the same alone and in any batch.
"""

from __future__ import annotations

import json
import math
import operator
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import repeat
from pathlib import Path

import numpy as np

POLARITY = ("negative", "neutral", "positive")
URGENCY = ("low", "medium", "high")
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "reading_model.npz"

_MENTION_RE = re.compile(r"@\w+")
_URL_RE = re.compile(r"https?://\S+")
_NUMBER_RE = re.compile(r"\d+")
_TOKEN_RE = re.compile(r"(?u)\b\w[\w']*\b")

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
    for word in normalized.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            if n > length:
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


#: The characters `str.split()` splits words at (the same set as `\s` in `re`).
_WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())


class _KeyTable:
    """Distinct non-negative integer keys and their positions, looked up many at a time.

    Open addressing with linear probing in a table at most a third full, built and
    searched with array operations: each round places (or finds) every key whose slot
    decides it and moves the rest one slot on. A key sits after an unbroken run of
    taken slots from where it hashes to, so a search stops at the first free slot.
    """

    #: Multiplicative hashing (2^64 over the golden ratio): the top bits of key × this are the slot.
    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, keys: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        bits = max(4, (3 * len(keys)).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._positions = np.full(1 << bits, -1, dtype=np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        while len(pending):
            wanted = slots[pending]
            free = self._keys[wanted] == -1
            # Of the keys wanting one free slot the first takes it; the others, and those finding their slot
            # taken, try the next one.
            taken, first = np.unique(wanted[free], return_index=True)
            placed = pending[free][first]
            self._keys[taken] = keys[placed]
            self._positions[taken] = placed
            left = np.ones(len(keys), dtype=bool)
            left[placed] = False
            pending = pending[left[pending]]
            slots[pending] = (slots[pending] + 1) & self._mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys.astype(np.uint64) * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's position among the keys the table was built from; -1 for a key not among them."""
        found = np.full(len(keys), -1, dtype=np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        while len(pending):
            stored = self._keys[slots]
            hit = stored == keys
            found[pending[hit]] = self._positions[slots[hit]]
            going = ~hit & (stored != -1)
            pending, keys = pending[going], keys[going]
            slots = (slots[going] + 1) & self._mask
        return found


class _CharGramIndex:
    """Finds the vocabulary's character n-grams in many texts at once, with array arithmetic.

    The same grams `char_grams` lists: every window of 3 to 5 characters of a word
    padded with one space on each side. Each character a vocabulary gram holds gets
    a number (0 for the others: a window holding one is in no gram), and a window
    is the number whose digits, in base (alphabet size + 1), are its characters'.
    The texts are joined with spaces into one array; a window is a gram's only if no
    space is inside it (its ends may be the padding), so windows never cross words.
    """

    def __init__(self, grams: Sequence[str]) -> None:
        self.low, self.high = CHAR_NGRAMS
        alphabet = sorted(set("".join(grams)) | {" "})
        self.radix = len(alphabet) + 1
        if self.radix**self.high >= 2**63:
            raise ValueError(f"the character vocabulary holds {len(alphabet):,} distinct characters, "
                             f"too many to number its {self.high}-grams in 64 bits")
        codes = [ord(ch) for ch in alphabet]
        # One slot past the highest character: what every character beyond it is numbered (0).
        table = np.zeros(max(*codes, *map(ord, _WHITESPACE)) + 2, dtype=np.int64)
        table[codes] = np.arange(1, len(alphabet) + 1)
        self.space = int(table[ord(" ")])
        table[[ord(ch) for ch in _WHITESPACE]] = self.space  # a tab or a line break parts words too
        self._table = table
        self._powers = self.radix ** np.arange(self.high, dtype=np.int64)
        padded = "".join(gram.ljust(self.high, "\0") for gram in grams)
        self._columns = _KeyTable(self._numbered(padded).reshape(-1, self.high) @ self._powers)
        self.size = len(grams)

    def _numbered(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        return self._table[np.minimum(codes, len(self._table) - 1)]

    def find(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text number, vocabulary column) of every vocabulary gram in `texts`, once per occurrence."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        # Text i starts at starts[i] in " " + " ".join(texts) + " ".
        starts = np.cumsum(lengths + 1) - lengths
        ids = self._numbered(" " + " ".join(texts) + " ")
        known = ids > 0
        inside = known & (ids != self.space)
        windows: list[np.ndarray] = []
        numbers: list[np.ndarray] = []
        for n in range(self.low, self.high + 1):
            count = len(ids) - n + 1
            if count <= 0:
                break
            valid = known[:count] & known[n - 1 : n - 1 + count]
            for k in range(1, n - 1):
                valid &= inside[k : k + count]
            at = np.flatnonzero(valid)
            keys = ids[at]
            for k in range(1, n):
                keys += ids[at + k] * self._powers[k]
            windows.append(at)
            numbers.append(keys)
        if not windows:  # nothing as long as the shortest gram
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        at = np.concatenate(windows)
        found = self._columns.find(np.concatenate(numbers))
        hit = found >= 0
        return np.searchsorted(starts, at[hit] + 1, side="right") - 1, found[hit]


class _WordGramIndex:
    """Finds the vocabulary's words and word pairs (`word_grams`) in many texts at once."""

    def __init__(self, grams: Sequence[str]) -> None:
        if WORD_NGRAMS != (1, 2):
            raise ValueError(f"word n-grams {WORD_NGRAMS} are not (1, 2)")
        tokens: dict[str, int] = {}
        unigrams: dict[int, int] = {}
        pairs: list[tuple[int, int, int]] = []
        for column, gram in enumerate(grams):
            parts = gram.split(" ")
            numbers = [tokens.setdefault(part, len(tokens)) for part in parts]
            if len(numbers) == 1:
                unigrams[numbers[0]] = column
            elif len(numbers) == 2:
                pairs.append((numbers[0], numbers[1], column))
            else:
                raise ValueError(f"the word vocabulary holds {gram!r}, longer than two words")
        self.tokens = tokens
        self.radix = len(tokens) + 1
        self._unigram_columns = np.full(len(tokens) + 1, -1, dtype=np.int64)  # the last: an unknown token
        self._unigram_columns[list(unigrams)] = list(unigrams.values())
        pair_keys = np.array([first * self.radix + second for first, second, _ in pairs], dtype=np.int64)
        self._pairs = _KeyTable(pair_keys)
        self._pair_columns = np.array([column for _, _, column in pairs], dtype=np.int64)
        self.size = len(grams)

    def find(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text number, vocabulary column) of every vocabulary word gram in `texts`, once per occurrence."""
        unknown = len(self.tokens)
        lookup = self.tokens.get
        numbers: list[int] = []
        lengths: list[int] = []
        for text in texts:
            tokens = _TOKEN_RE.findall(text)
            numbers.extend(map(lookup, tokens, repeat(unknown)))
            lengths.append(len(tokens))
        token = np.array(numbers, dtype=np.int64)
        row = np.repeat(np.arange(len(texts)), lengths)
        unigram = self._unigram_columns[token]
        single = unigram >= 0
        rows, columns = [row[single]], [unigram[single]]
        if len(self._pair_columns) and len(token) > 1:
            paired = (row[:-1] == row[1:]) & (token[:-1] != unknown) & (token[1:] != unknown)
            at = np.flatnonzero(paired)
            found = self._pairs.find(token[at] * self.radix + token[at + 1])
            hit = found >= 0
            rows.append(row[at[hit]])
            columns.append(self._pair_columns[found[hit]])
        return np.concatenate(rows), np.concatenate(columns)


@dataclass(frozen=True)
class ModelReading:
    """The model's probabilities for one message."""

    polarity: dict[str, float]
    urgency: dict[str, float]
    churn: float
    confidence: float

    @cached_property
    def label(self) -> str:
        return max(self.polarity, key=self.polarity.__getitem__)

    @cached_property
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

    # --- prediction ------------------------------------------------------------------------------

    @cached_property
    def _word_index(self) -> _WordGramIndex:
        return _WordGramIndex(_ordered(self.word_vocabulary))

    @cached_property
    def _char_index(self) -> _CharGramIndex:
        return _CharGramIndex(_ordered(self.char_vocabulary))

    @cached_property
    def _pick_features(self) -> Callable[[Mapping[str, float]], object]:
        """A message's feature values in `feature_names` order (KeyError when one is missing)."""
        if not self.feature_names:
            return lambda values: ()
        return operator.itemgetter(*self.feature_names)

    @cached_property
    def _weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, slice]]:
        """Every head's coefficients, one row per class (the heads' classes one after another) and one
        column per column of the message's vector, for the word, character and rule columns apart
        (each its own contiguous array); their intercepts; and which rows each head owns."""
        heads: dict[str, slice] = {}
        blocks = []
        start = 0
        for head, coef in self.coef.items():
            blocks.append(coef.reshape(len(coef), -1))
            heads[head] = slice(start, start + blocks[-1].shape[1])
            start = heads[head].stop
        weights = np.hstack(blocks).T
        words, chars = len(self.word_vocabulary), len(self.char_vocabulary)
        intercepts = np.concatenate([self.intercept[head].reshape(-1) for head in self.coef])
        return (
            np.ascontiguousarray(weights[:, :words]),
            np.ascontiguousarray(weights[:, words : words + chars]),
            np.ascontiguousarray(weights[:, words + chars :]),
            intercepts,
            heads,
        )

    def _part(
        self, found: tuple[np.ndarray, np.ndarray], idf: np.ndarray, weights: np.ndarray, count: int
    ) -> np.ndarray:
        """One TF-IDF block's share of each message's decision values (classes × messages): sublinear
        counts times IDF, normalised to unit length per message, times the block's coefficients."""
        rows, columns = found
        share = np.zeros((len(weights), count))
        if not len(rows):
            return share
        width = len(idf)
        cells = rows * width + columns
        if count * width < 2**31:
            cells = cells.astype(np.int32)  # sorts in about half the time
        cells, counts = np.unique(cells, return_counts=True)  # sorted by message, then column
        cells = cells.astype(np.int64)
        rows, columns = cells // width, cells % width
        values = (1.0 + np.log(counts)) * idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=count))
        values /= norms[rows]
        firsts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        terms = np.take(weights, columns, axis=1)
        terms *= values
        share[:, rows[firsts]] = np.add.reduceat(terms, firsts, axis=1)
        return share

    def decisions(self, texts: Sequence[str], features: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Each message's decision values, one row per message and one column per head's class.

        Each message's sums run over its own entries in a fixed order, whatever else is in the batch:
        a message reads the same alone and among others.
        """
        word_weights, char_weights, rule_weights, intercepts, _ = self._weights
        count = len(texts)
        normalized = [normalize(text) for text in texts]
        total = self._part(self._word_index.find(normalized), self.word_idf, word_weights, count)
        total += self._part(self._char_index.find(normalized), self.char_idf, char_weights, count)
        names = self.feature_names
        try:
            dense = np.array([self._pick_features(values) for values in features], dtype=np.float64)
        except KeyError:  # a mapping without every feature: the missing ones are 0
            dense = np.array([[float(values.get(name, 0.0)) for name in names] for values in features])
        dense = dense.reshape(count, len(names))
        total += (rule_weights[:, None, :] * dense[None, :, :]).sum(axis=2)
        return (total + intercepts[:, None]).T

    def predict(self, text: str, features: Mapping[str, float]) -> ModelReading:
        return self.predict_many([text], [features])[0]

    def predict_many(
        self, texts: Sequence[str], features: Sequence[Mapping[str, float]]
    ) -> list[ModelReading]:
        """The model's reading of each message (`features`: each one's `offline.features_of`)."""
        if not texts:
            return []
        heads = self._weights[-1]
        values = self.decisions(texts, features)
        polarity = _softmax(values[:, heads["polarity"]])
        urgency = _softmax(values[:, heads["urgency"]])
        churn = values[:, heads["churn"]][:, 0].tolist()
        top = polarity.max(axis=1)
        confidence = (np.interp(top, self.calibration_x, self.calibration_y) if len(self.calibration_x)
                      else top).tolist()
        return [
            ModelReading(
                polarity=dict(zip(POLARITY, polarities, strict=True)),
                urgency=dict(zip(URGENCY, urgencies, strict=True)),
                churn=_sigmoid(churn_value),
                confidence=confident,
            )
            for polarities, urgencies, churn_value, confident in zip(
                polarity.tolist(), urgency.tolist(), churn, confidence, strict=True
            )
        ]

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
        arrays: dict[str, np.ndarray] = {
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
            # numpy's stub checks `**arrays` against its bool keyword too (a key could be "allow_pickle").
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
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
    """Row by row."""
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@cache
def shipped_model() -> ReadingModel | None:
    """The model shipped with the package, or None when it is not there (a source tree before training)."""
    if not DEFAULT_PATH.exists():
        return None
    return ReadingModel.load(DEFAULT_PATH)
