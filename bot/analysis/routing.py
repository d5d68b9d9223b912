"""Genuine doubt about an offline reading: how likely it is to get an alert-worthy message wrong.

`hybrid` must send Claude every message where the offline reading could hide a
risk, and only those. A keyword cannot tell that ("renewal" is in the renewal
signed and in the notice of non-renewal alike); what can is how sure the layers
are and whether they agree. This is a small logistic model over those facts:
the reading model's probabilities (negative, urgent, churn), its calibrated
confidence, the reading itself, where the rules, the model and the lexicon
disagree, what the risk layer found, sarcasm and language. Its target is "an
alert-worthy message (docs/labeling.md) read wrongly offline" (label, urgency
or churn risk).

`bench/train_reading_model.py` fits the weights and the threshold on
out-of-fold readings of the dev split (a model never reads its own training
rows there) and ships them inside the reading model's file; the offline
analyzer sets `OfflineSignals.doubt` from them, and `policy.claude_triggers`
routes on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from bot.analysis.contract import AnalysisResult

FEATURES = (
    "negative", "neutral", "positive", "urgency_medium", "urgency_high", "churn_probability",
    "polarity_margin", "urgency_margin", "urgency_doubt", "churn_doubt", "churn_logit", "negative_logit",
    "confidence", "label_negative", "label_positive", "read_low", "read_high", "read_churn",
    "rules_disagree", "model_disagree", "lexicon_opposite", "non_english", "sarcasm", "risk_hint",
    "risk_found", "length",
)

_OPPOSITE = {"positive": "negative", "negative": "positive"}
_NO_POLARITY = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}
_NO_URGENCY = {"low": 1.0, "medium": 0.0, "high": 0.0}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p)) / 4.0


def _margin(probabilities: Iterable[float]) -> float:
    """How far the most likely class is ahead of the next one."""
    first, second = sorted(probabilities, reverse=True)[:2]
    return first - second


def doubt_features(result: AnalysisResult, signals: Mapping) -> dict[str, float]:
    """The router's inputs from an offline result and its signals (`OfflineSignals.to_dict()`)."""
    polarity = signals.get("model_polarity") or _NO_POLARITY
    urgency = signals.get("model_urgency") or _NO_URGENCY
    inputs = doubt_inputs(
        result,
        (polarity["negative"], polarity["neutral"], polarity["positive"]),
        (urgency["low"], urgency["medium"], urgency["high"]),
        float(signals.get("churn_probability") or 0.0),
        signals.get("risks", ()),
        signals.get("rules"),
        signals.get("model"),
        signals.get("lexicon"),
        signals.get("words") or 0,
    )
    return dict(zip(FEATURES, inputs, strict=True))


def doubt_inputs(
    result: AnalysisResult,
    polarity: tuple[float, float, float],
    urgency: tuple[float, float, float],
    churn: float,
    risks: Iterable[str],
    rules: str | None,
    model: str | None,
    lexicon: str | None,
    words: int,
) -> tuple[float, ...]:
    """`doubt_features`' values in `FEATURES` order, from the signals' values themselves: the model's
    (negative, neutral, positive) and (low, medium, high) probabilities, its churn probability, the risk
    kinds, the rules', model's and lexicon's labels and the words read."""
    negative, neutral, positive = polarity
    low, medium, high = urgency
    urgent = 1.0 - low
    label = result.label.value
    risks = list(risks)
    return (
        negative,
        neutral,
        positive,
        medium,
        high,
        churn,
        _margin(polarity),
        _margin(urgency),
        # Unsure between two readings: a probability near the middle.
        4.0 * urgent * (1.0 - urgent),
        4.0 * churn * (1.0 - churn),
        _logit(churn),
        _logit(negative),
        result.confidence,
        float(label == "negative"),
        float(label == "positive"),
        float(result.urgency.value == "low"),
        float(result.urgency.value == "high"),
        float(result.churn_risk),
        float(bool(rules) and rules != label),
        float(bool(model) and model != label),
        float(_OPPOSITE.get(label) == lexicon),
        float((result.language or "en").split("-")[0].lower() != "en"),
        float(result.sarcasm),
        float(any(risk.endswith("?") for risk in risks)),
        float(any(not risk.endswith("?") for risk in risks)),
        math.log1p(float(words or 0)) / 5.0,
    )


def doubt_probability(features: Mapping[str, float], routing: Mapping) -> float:
    """The fitted chance that the reading misreads an alert-worthy message."""
    return doubt_probability_of([features[name] for name in FEATURES], routing)


def doubt_probability_of(inputs: Sequence[float], routing: Mapping) -> float:
    """`doubt_probability` of the features' values in `FEATURES` order (`doubt_inputs`)."""
    weights: Mapping[str, float] = routing["weights"]
    value = float(routing["intercept"])
    pairs = zip(FEATURES, inputs, strict=True)
    value += sum(float(weights.get(name, 0.0)) * feature for name, feature in pairs)
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
