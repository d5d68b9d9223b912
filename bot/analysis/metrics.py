"""Scoring an analyzer against labeled data: accuracy, macro-F1, confusion.

Shared by `bench/accuracy.py` and the CLI's `tonewatch eval`, so both report
the same figures for the same predictions.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.contract import AnalysisResult, Label

SENTIMENT_LABELS = frozenset({"negative", "neutral", "positive"})
COMPLAINT_LABELS = frozenset({"complaint", "not_complaint"})
URGENCY_LABELS = frozenset({"low", "medium", "high"})

TASKS = ("sentiment", "complaint", "urgency")


def evaluate(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.

    Macro-F1 averages over the labels that occur in `gold` (a label the
    analyzer predicts but the data never has would otherwise count as a free
    zero and punish the analyzer for a class the data cannot test).
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    labels = sorted(set(gold) | set(predicted))
    confusion: dict[str, dict[str, int]] = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        true_positive = confusion[label][label]
        predicted_count = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    gold_labels = sorted(set(gold))
    macro_f1 = sum(per_class[label]["f1"] for label in gold_labels) / len(gold_labels) if gold_labels else 0.0
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    accuracy = correct / len(gold) if gold else 0.0
    return {
        "accuracy": accuracy,
        "macro_f1": macro_f1,
        "n": len(gold),
        "per_class": per_class,
        "confusion": confusion,
    }


def task_for_labels(labels: set[str]) -> str:
    """Which task a labeled file measures, from the set of labels it uses."""
    labels = {label.strip().lower() for label in labels if label.strip()}
    if not labels:
        raise ValueError("the file has no labels")
    if labels <= SENTIMENT_LABELS:
        return "sentiment"
    if labels <= COMPLAINT_LABELS:
        return "complaint"
    if labels <= URGENCY_LABELS:
        return "urgency"
    unknown = ", ".join(sorted(labels - SENTIMENT_LABELS - COMPLAINT_LABELS - URGENCY_LABELS)[:5])
    raise ValueError(
        f"labels not recognised ({unknown}); expected negative/neutral/positive, "
        "complaint/not_complaint or low/medium/high"
    )


def predict_for_task(result: AnalysisResult, task: str) -> str:
    """The label an analysis predicts for a task's label set."""
    if task == "sentiment":
        return result.label.value
    if task == "complaint":
        return "complaint" if result.label is Label.negative else "not_complaint"
    if task == "urgency":
        return result.urgency.value
    raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
