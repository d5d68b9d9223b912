"""The team's own precision: of the alerts people reviewed, how many they found accurate.

An alert counts as **reviewed** when someone acted on it — acknowledged it, snoozed it, sent its
draft ("Use draft" acknowledges) — or pressed "Not accurate" on it. A reviewed alert is **accurate**
unless someone pressed "Not accurate" on it. Alerts nobody touched are counted, not judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.alerts.policy import Severity
from storage.db import Engine, read_transaction
from storage.feedback import AlertFeedback, alert_feedback

#: Statuses a person sets on an alert (an alert resolved by an edit or deletion was not reviewed).
REVIEWED_STATUSES = frozenset({"acknowledged", "snoozed"})


def _row() -> dict:
    return {"alerts": 0, "reviewed": 0, "accurate": 0, "not_accurate": 0, "precision": None}


def summarize(feedback: Iterable[AlertFeedback]) -> dict:
    """Per severity (most severe first) and in total: alerts, reviewed, accurate, not accurate, precision."""
    by_severity = {severity.value: _row() for severity in sorted(Severity, key=lambda s: -s.rank)}
    total = _row()
    for item in feedback:
        row = by_severity.setdefault(item.severity, _row())
        reviewed = item.corrected or item.status in REVIEWED_STATUSES
        for counts in (row, total):
            counts["alerts"] += 1
            if reviewed:
                counts["reviewed"] += 1
                counts["not_accurate" if item.corrected else "accurate"] += 1
    for counts in (*by_severity.values(), total):
        if counts["reviewed"]:
            counts["precision"] = round(counts["accurate"] / counts["reviewed"], 4)
    return {"by_severity": by_severity, "total": total}


def team_precision(engine: Engine, end: datetime, days: int) -> dict:
    """The team's precision over the `days` before `end`."""
    start = end - timedelta(days=days)
    with read_transaction(engine) as tx:
        feedback = alert_feedback(tx, start, end)
    return {"from": start.isoformat(), "to": end.isoformat(), "days": days, **summarize(feedback)}
