"""The team's customer-success corpus: its rows, its frozen split, and scoring an analyzer on it.

`tests/data/corpus/*.jsonl` holds messages the team wrote and labeled after
`docs/labeling.md`. Each row's split is fixed by its id (a hash, so adding rows
never moves old ones): about 70 % is `dev`, for tuning and training, the rest
`test`, only ever reported on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.analysis.contract import AnalysisResult, Label, RecommendedAction

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "corpus"

#: Readings that mean "good news" or "nothing to do": never right for an alert-worthy message.
IDLE_ACTIONS = frozenset(
    {RecommendedAction.celebrate, RecommendedAction.no_action, RecommendedAction.expansion_follow_up}
)


@dataclass(frozen=True)
class CorpusRow:
    id: str
    source: str
    language: str
    cls: str
    text: str
    polarity: str
    urgency: str
    churn_risk: bool
    alert: bool
    concerns: tuple[str, ...] = ()
    emotions: tuple[str, ...] = ()
    nps_score: int | None = None
    voice: str = ""

    @property
    def split(self) -> str:
        return split_of(self.id)


def split_of(row_id: str) -> str:
    """`dev` or `test`, fixed by the id alone."""
    return "dev" if hashlib.sha256(row_id.encode("utf-8")).digest()[0] < 179 else "test"


def load_corpus(directory: Path = CORPUS_DIR, split: str | None = None) -> list[CorpusRow]:
    rows: list[CorpusRow] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                data = json.loads(line)
                row = CorpusRow(
                    id=data["id"], source=data["source"], language=data["language"], cls=data["cls"],
                    text=data["text"], polarity=data["polarity"], urgency=data["urgency"],
                    churn_risk=bool(data["churn_risk"]), alert=bool(data["alert"]),
                    concerns=tuple(data.get("concerns") or ()), emotions=tuple(data.get("emotions") or ()),
                    nps_score=data.get("nps_score"), voice=data.get("voice", ""),
                )
                if split is None or row.split == split:
                    rows.append(row)
    return rows


@dataclass
class CorpusScore:
    """How an analyzer's readings agree with the corpus labels."""

    rows: int = 0
    polarity_correct: int = 0
    urgency_correct: int = 0
    churn_tp: int = 0
    churn_fp: int = 0
    churn_fn: int = 0
    alert_worthy: int = 0
    #: Alert-worthy rows read as positive or with an idle action (ids).
    misread_alerts: list[str] = field(default_factory=list)
    #: (confidence, polarity right) per row, for calibration.
    confidences: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, row: CorpusRow, result: AnalysisResult) -> None:
        self.rows += 1
        right = result.label.value == row.polarity
        self.polarity_correct += right
        self.urgency_correct += result.urgency.value == row.urgency
        if result.churn_risk and row.churn_risk:
            self.churn_tp += 1
        elif result.churn_risk:
            self.churn_fp += 1
        elif row.churn_risk:
            self.churn_fn += 1
        if row.alert:
            self.alert_worthy += 1
            if misreads_alert(result):
                self.misread_alerts.append(row.id)
        self.confidences.append((result.confidence, right))

    def summary(self) -> dict:
        precision = self.churn_tp / (self.churn_tp + self.churn_fp) if self.churn_tp + self.churn_fp else 0.0
        recall = self.churn_tp / (self.churn_tp + self.churn_fn) if self.churn_tp + self.churn_fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "rows": self.rows,
            "polarity_accuracy": round(self.polarity_correct / self.rows, 4) if self.rows else 0.0,
            "urgency_accuracy": round(self.urgency_correct / self.rows, 4) if self.rows else 0.0,
            "churn_f1": round(f1, 4),
            "churn_precision": round(precision, 4),
            "churn_recall": round(recall, 4),
            "alert_worthy": self.alert_worthy,
            "alert_worthy_misread": len(self.misread_alerts),
            "ece": round(expected_calibration_error(self.confidences), 4),
        }


def misreads_alert(result: AnalysisResult) -> bool:
    """Whether a reading of an alert-worthy message says good news or nothing to do."""
    return result.label is Label.positive or result.recommended_action in IDLE_ACTIONS


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """ECE over equal-width confidence bins: the gap between stated confidence and accuracy, weighted."""
    if not pairs:
        return 0.0
    total = len(pairs)
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [(c, ok) for c, ok in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if members:
            confidence = sum(c for c, _ in members) / len(members)
            accuracy = sum(ok for _, ok in members) / len(members)
            error += len(members) / total * abs(confidence - accuracy)
    return error
