"""`tonewatch train`: fit the team's own model from labeled files and chat corrections."""

from __future__ import annotations

import time

from bot.analysis.base import InvalidText, clean_text
from bot.analysis.learned import LearnedModel
from bot.analysis.offline import OfflineAnalyzer
from storage.db import Engine
from storage.errors import UserError
from storage.training import add_training_examples, deactivate_models, labeled_texts, store_trained_model

SENTIMENT_LABELS = ("negative", "neutral", "positive")


def add_examples(engine: Engine, rows: list[dict], source: str, max_text_chars: int) -> tuple[int, int]:
    """Store labeled rows; returns (added, skipped as duplicates or unusable)."""
    skipped = 0
    bad: list[str] = []
    examples: list[tuple[str, str]] = []
    for row in rows:
        label = str(row.get("label", "")).strip().lower()
        if label not in SENTIMENT_LABELS:
            bad.append(f"line {row.get('_line', '?')}: label {label!r} is not negative/neutral/positive")
            continue
        try:
            examples.append((clean_text(row.get("text"), max_text_chars), label))
        except InvalidText:
            skipped += 1
    if bad:
        raise UserError(f"{source}: {len(bad)} bad label(s) — " + "; ".join(bad[:5]))
    stored, duplicates = add_training_examples(engine, examples, source)
    return stored, skipped + duplicates


def training_set(engine: Engine) -> tuple[list[str], list[str], int]:
    """Stored examples plus every corrected message with the label the person chose in "Not accurate"
    (a correction wins over a file's label; the newest correction of a message wins over older ones);
    also how many texts take their label from a correction."""
    by_text: dict[str, str] = {}
    corrected_texts: set[str] = set()
    examples, corrected = labeled_texts(engine)
    for text, label in examples:
        by_text[text] = label
    for text, label in corrected:
        if text and label in SENTIMENT_LABELS:
            by_text[text] = label
            corrected_texts.add(text)
    return list(by_text.keys()), list(by_text.values()), len(corrected_texts)


def train(engine: Engine, offline: OfflineAnalyzer) -> dict:
    """Fit on the stored training set, store the model as the active one, return its summary."""
    texts, labels, from_corrections = training_set(engine)
    if len(texts) < 20 or len(set(labels)) < 2:
        raise UserError(
            f"need at least 20 labeled texts with two or more labels to train (have {len(texts)})"
        )
    started = time.perf_counter()
    model = LearnedModel.fit(texts, labels, feature_fn=offline.features)
    seconds = time.perf_counter() - started
    model_id = store_trained_model(engine, model.to_bytes(), dict(model.metrics), trained_on=len(texts))
    counts = {label: labels.count(label) for label in sorted(set(labels))}
    return {
        "model_id": model_id,
        "trained_on": len(texts),
        "from_corrections": from_corrections,
        "labels": counts,
        "metrics": dict(model.metrics),
        "seconds": round(seconds, 2),
    }


def reset(engine: Engine) -> int:
    return deactivate_models(engine)
