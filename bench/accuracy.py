"""Benchmark: how well the offline analyzer agrees with people, beside VADER and TextBlob.

    python bench/accuracy.py                      # every ../shared/eval/*/test.csv
    python bench/accuracy.py --split dev          # the tuning split
    python bench/accuracy.py --trained-on ../shared/eval/airline_twitter_sentiment/dev.csv
    python bench/accuracy.py --json

Each set's labels decide the task (see `bot.analysis.metrics.task_for_labels`):
sentiment sets compare labels, complaint sets read "negative" as "complaint",
the urgency set compares the analyzer's urgency (offline only: VADER and
TextBlob have none). Emotion sets are mapped to polarity: TweetEval's
joy/optimism are positive and anger/sadness negative; GoEmotions rows whose
emotions all fall in one of its published sentiment groups take that group,
mixed or ambiguous rows (surprise, curiosity...) are left out. VADER is read
at compound ±0.05 and TextBlob at polarity ±0.05, their usual cut-offs, in the
same run. Tune on dev, report test: a large gap means the rules learned rows.
With --trained-on, a `LearnedModel` is fitted on that CSV (text,label) and the
offline analyzer blended with it is scored as well.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.base import InvalidText  # noqa: E402
from bot.analysis.metrics import evaluate, predict_for_task, task_for_labels  # noqa: E402
from bot.analysis.offline import OfflineAnalyzer  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"

TWEETEVAL_EMOTION_POLARITY = {
    "joy": "positive", "optimism": "positive", "anger": "negative", "sadness": "negative",
}
GOEMOTIONS_POLARITY = {
    **dict.fromkeys(
        "admiration amusement approval caring desire excitement gratitude joy love optimism pride "
        "relief".split(),
        "positive",
    ),
    **dict.fromkeys(
        "anger annoyance disappointment disapproval disgust embarrassment fear grief nervousness remorse "
        "sadness".split(),
        "negative",
    ),
    "neutral": "neutral",
}


def _polarity_of_emotions(label: str) -> str | None:
    """A polarity for an emotion label, or None when the row is mixed or ambiguous."""
    names = [name.strip() for name in label.split(";") if name.strip()]
    if len(names) == 1 and names[0] in TWEETEVAL_EMOTION_POLARITY:
        return TWEETEVAL_EMOTION_POLARITY[names[0]]
    groups = {GOEMOTIONS_POLARITY.get(name) for name in names}
    if len(groups) == 1 and None not in groups:
        return groups.pop()
    return None


def load_set(path: Path) -> tuple[str, list[str], list[str], str]:
    """(task, texts, gold labels, note) for one CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["text"], row["label"].strip().lower()) for row in csv.DictReader(handle)]
    labels = {label for _, label in rows}
    try:
        return task_for_labels(labels), [t for t, _ in rows], [g for _, g in rows], ""
    except ValueError:
        mapped = [(text, _polarity_of_emotions(label)) for text, label in rows]
        kept = [(text, polarity) for text, polarity in mapped if polarity is not None]
        note = f"emotions mapped to polarity; {len(rows) - len(kept)} mixed/ambiguous rows left out"
        return "sentiment", [t for t, _ in kept], [p for _, p in kept], note  # type: ignore[misc]


def _band(value: float, band: float = 0.05) -> str:
    return "positive" if value >= band else "negative" if value <= -band else "neutral"


def _as_task(label: str, task: str) -> str:
    if task == "complaint":
        return "complaint" if label == "negative" else "not_complaint"
    return label


def score_offline(analyzer: OfflineAnalyzer, texts: list[str], task: str) -> tuple[list[str], int]:
    predicted: list[str] = []
    abstained = 0
    for text in texts:
        try:
            result = analyzer.analyze_text(text)
        except InvalidText:
            predicted.append(_as_task("neutral", task) if task != "urgency" else "low")
            continue
        abstained += result.abstained
        predicted.append(predict_for_task(result, task))
    return predicted, abstained


def score_vader(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    return [_band(vader.polarity_scores(text)["compound"]) for text in texts]


def score_textblob(texts: list[str]) -> list[str]:
    from textblob import TextBlob

    return [_band(TextBlob(text).sentiment.polarity) for text in texts]


def _summary(gold: list[str], predicted: list[str]) -> dict:
    report = evaluate(gold, predicted)
    return {
        "macro_f1": round(report["macro_f1"], 4),
        "accuracy": round(report["accuracy"], 4),
        "per_class_f1": {label: round(values["f1"], 4) for label, values in report["per_class"].items()},
    }


def run(eval_dir: Path, split: str, trained_on: Path | None, baselines: bool) -> dict:
    offline = OfflineAnalyzer()
    learned_analyzer = None
    training = None
    if trained_on is not None:
        from bot.analysis.learned import LearnedModel

        _, train_texts, train_gold, _ = load_set(trained_on)
        started = time.perf_counter()
        model = LearnedModel.fit(train_texts, train_gold, offline.features)
        training = {
            "file": str(trained_on),
            "rows": model.trained_on,
            "seconds": round(time.perf_counter() - started, 1),
            "metrics": model.metrics,
        }
        learned_analyzer = OfflineAnalyzer(learned=model)
    results = []
    for path in sorted(eval_dir.glob(f"*/{split}.csv")):
        task, texts, gold, note = load_set(path)
        predicted, abstained = score_offline(offline, texts, task)
        entry: dict = {
            "set": path.parent.name,
            "task": task,
            "rows": len(texts),
            "note": note,
            "offline": {**_summary(gold, predicted), "abstained": abstained},
        }
        if baselines and task != "urgency":
            entry["vader"] = _summary(gold, [_as_task(p, task) for p in score_vader(texts)])
            entry["textblob"] = _summary(gold, [_as_task(p, task) for p in score_textblob(texts)])
        if learned_analyzer is not None and task == "sentiment":
            predicted, _ = score_offline(learned_analyzer, texts, task)
            entry["offline+learned"] = _summary(gold, predicted)
        results.append(entry)
    return {
        "split": split,
        "eval_dir": str(eval_dir.resolve()),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "training": training,
        "sets": results,
    }


def render(report: dict) -> str:
    systems = ["offline", "offline+learned", "vader", "textblob"]
    present = [s for s in systems if any(s in entry for entry in report["sets"])]
    header = f"{'set (' + report['split'] + ')':34} {'task':10} {'rows':>5}"
    for system in present:
        header += f" {system + ' F1':>20} {'acc':>6}"
    lines = [header, "-" * len(header)]
    for entry in report["sets"]:
        line = f"{entry['set']:34} {entry['task']:10} {entry['rows']:>5}"
        for system in present:
            if system in entry:
                line += f" {entry[system]['macro_f1']:>20.3f} {entry[system]['accuracy']:>6.3f}"
            else:
                line += f" {'—':>20} {'':>6}"
        lines.append(line)
    lines.append("")
    for entry in report["sets"]:
        note = f"; {entry['note']}" if entry["note"] else ""
        lines.append(f"{entry['set']}: offline abstained on {entry['offline']['abstained']}{note}")
    if report["training"]:
        training = report["training"]
        lines.append(
            f"learned model: {training['rows']} rows from {training['file']} in {training['seconds']} s, "
            f"cross-validated macro-F1 {training['metrics'].get('cv_macro_f1')}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--trained-on", type=Path, help="fit a learned model on this text,label CSV first")
    parser.add_argument("--no-baselines", action="store_true", help="skip VADER and TextBlob")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.eval_dir.is_dir():
        print(f"no evaluation data at {args.eval_dir} (expected ../shared/eval beside the repository)")
        return 2
    report = run(args.eval_dir, args.split, args.trained_on, baselines=not args.no_baselines)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
