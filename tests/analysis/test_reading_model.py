"""The reading model shipped in the package: loaded without running code, used by default, round-trips."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bot.analysis.corpus import load_corpus
from bot.analysis.offline import OfflineAnalyzer, features_of
from bot.analysis.reading_model import (
    DEFAULT_PATH,
    POLARITY,
    URGENCY,
    ReadingModel,
    _KeyTable,
    char_grams,
    normalize,
    shipped_model,
    word_grams,
)

TEXTS = [
    "We will not renew; the board chose a cheaper tool.",
    "Killer feature, the whole team is obsessed with the new board view!",
    "Can you resend the March invoice to ap@example.com?",
]


def test_the_model_ships_as_plain_arrays_and_the_offline_analyzer_uses_it() -> None:
    assert DEFAULT_PATH.exists()
    with np.load(DEFAULT_PATH, allow_pickle=False) as data:  # no pickle: loading runs no code
        assert "coef_polarity" in data.files
    model = shipped_model()
    assert model is not None
    analyzer = OfflineAnalyzer()
    assert analyzer.model == f"offline+{model.version}"
    assert OfflineAnalyzer(reading_model=None).model == "offline-rules"


def test_predictions_are_distributions_and_confidence_is_a_probability() -> None:
    model = shipped_model()
    rules = OfflineAnalyzer(reading_model=None)
    for text in TEXTS:
        reading = model.predict(text, features_of(rules.read(text)))
        assert set(reading.polarity) == set(POLARITY) and set(reading.urgency) == set(URGENCY)
        assert abs(sum(reading.polarity.values()) - 1) < 1e-9
        assert 0.0 <= reading.churn <= 1.0 and 0.0 <= reading.confidence <= 1.0


def test_a_saved_model_loads_back_to_the_same_predictions(tmp_path: Path) -> None:
    model = shipped_model()
    copy_path = tmp_path / "model.npz"
    model.save(copy_path)
    copy = ReadingModel.load(copy_path)
    rules = OfflineAnalyzer(reading_model=None)
    for text in TEXTS:
        features = features_of(rules.read(text))
        first, second = model.predict(text, features), copy.predict(text, features)
        assert first.polarity == second.polarity and first.churn == second.churn
    assert not list(tmp_path.glob("*.partial"))


def test_the_analysis_names_the_model_and_keeps_the_score_inside_its_label_band() -> None:
    analyzer = OfflineAnalyzer()
    for text in TEXTS:
        result = analyzer.analyze_text(text)
        assert result.model.startswith("offline+reading-model@")
        if result.label.value == "positive":
            assert result.score >= 0.05
        elif result.label.value == "negative":
            assert result.score <= -0.05
        else:
            assert -0.05 < result.score < 0.05


def test_a_text_at_the_length_limit_reads_without_overflow() -> None:
    analyzer = OfflineAnalyzer()
    for text in ("bad " * 4_999, "great " * 3_300, "x" * 19_999):
        result = analyzer.analyze_text(text)
        assert -1.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0


# --- reading many messages at once ----------------------------------------------------------------------

#: Texts for the n-gram finder's edge cases: tabs, line breaks and runs of spaces between words, emoji
#: outside the basic plane, accents, characters no gram holds, one-letter and very long words, nothing.
EDGES = [
    *TEXTS,
    "tab\tseparated\nlines  and   runs of spaces\u00a0and\u3000wide ones",
    "Thanks!! 🙏🙏 the fix works 😂 — merci beaucoup, très bien ✅",
    "a b c d e i o u y",
    "x" * 300 + " supercalifragilistic " + "ab" * 50,
    "Ünïcödé wörds, ß, ç, ñ and 日本語のテキスト",
    "",
    "   ",
    "@user https://example.com/x 12345 call 555-0100",
    "don't can't won't it's we're o'clock rock'n'roll",
]


def _reference_grams(model: ReadingModel, text: str) -> tuple[list[int], list[int]]:
    """The vocabulary columns of a text's word and character n-grams, by `word_grams` and `char_grams` (the
    definitions the trainer's vectorizers use), one per occurrence, sorted."""
    normalized = normalize(text)
    words = sorted(model.word_vocabulary[g] for g in word_grams(normalized) if g in model.word_vocabulary)
    chars = sorted(model.char_vocabulary[g] for g in char_grams(normalized) if g in model.char_vocabulary)
    return words, chars


def _reference_decisions(model: ReadingModel, text: str, features: dict[str, float]) -> np.ndarray:
    """Decision values by the book: TF-IDF (sublinear counts, L2 per block) times each head's coefficients."""
    words, chars = _reference_grams(model, text)

    def tfidf(columns: list[int], idf: np.ndarray) -> dict[int, float]:
        counts = Counter(columns)
        values = {column: (1.0 + math.log(count)) * float(idf[column]) for column, count in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return {column: v / norm for column, v in values.items()} if norm else values

    vector = np.zeros(len(model.word_vocabulary) + len(model.char_vocabulary) + len(model.feature_names))
    for column, value in tfidf(words, model.word_idf).items():
        vector[column] = value
    for column, value in tfidf(chars, model.char_idf).items():
        vector[len(model.word_vocabulary) + column] = value
    offset = len(model.word_vocabulary) + len(model.char_vocabulary)
    for i, name in enumerate(model.feature_names):
        vector[offset + i] = float(features.get(name, 0.0))
    return np.concatenate([
        vector @ model.coef[head].reshape(len(vector), -1) + model.intercept[head].reshape(-1)
        for head in model.coef
    ])


def _features(texts: list[str]) -> list[dict[str, float]]:
    rules = OfflineAnalyzer(reading_model=None)
    return [features_of(rules.read(text)) if text.strip() else features_of(rules.read("x")) for text in texts]


def test_the_n_grams_found_at_once_are_the_definitions() -> None:
    model = shipped_model()
    normalized = [normalize(text) for text in EDGES]
    word_rows, word_columns = model._word_index.find(normalized)
    char_rows, char_columns = model._char_index.find(normalized)
    for row, text in enumerate(EDGES):
        words, chars = _reference_grams(model, text)
        assert sorted(word_columns[word_rows == row].tolist()) == words, text
        assert sorted(char_columns[char_rows == row].tolist()) == chars, text


def test_a_batch_reads_each_message_as_it_reads_it_alone_and_as_the_definition_does() -> None:
    model = shipped_model()
    features = _features(EDGES)
    together = model.predict_many(EDGES, features)
    for text, values, reading in zip(EDGES, features, together, strict=True):
        alone = model.predict(text, values)
        assert alone == reading, text  # the same floats, not just close ones
        assert np.allclose(model.decisions([text], [values])[0], _reference_decisions(model, text, values),
                           rtol=0, atol=1e-9), text
    assert model.predict_many([], []) == []


@pytest.mark.slow
def test_the_corpus_reads_the_same_in_a_batch_and_by_the_definition() -> None:
    model = shipped_model()
    # Every fourth row: each file, source, language and length class, in a quarter of the time.
    texts = [row.text for row in load_corpus()][::4]
    features = _features(texts)
    together = model.predict_many(texts, features)
    for text, values, reading in zip(texts, features, together, strict=True):
        assert model.predict(text, values) == reading
        assert np.allclose(model.decisions([text], [values])[0], _reference_decisions(model, text, values),
                           rtol=0, atol=1e-9)


def test_the_key_table_finds_every_key_and_nothing_else() -> None:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 2**40, 5_000))
    table = _KeyTable(keys)
    assert (table.find(keys) == np.arange(len(keys))).all()
    assert (table.find(keys[::-1]) == np.arange(len(keys))[::-1]).all()
    others = np.setdiff1d(rng.integers(0, 2**40, 5_000), keys)
    assert (table.find(others) == -1).all()
    assert _KeyTable(np.array([], dtype=np.int64)).find(keys).tolist() == [-1] * len(keys)
    # Keys that all want the same slots: the probes run on past each other.
    crowded = np.arange(0, 64 * 2**58, 2**58, dtype=np.int64)
    assert (_KeyTable(crowded).find(crowded) == np.arange(len(crowded))).all()
