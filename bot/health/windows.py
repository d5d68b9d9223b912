"""The windows health reads, as runs of the time segments of one scan (`storage.health_scan`).

Every window the rules use (7/30/90 days, the recent window, the earlier
window, the baseline, the detractor window) ends at a moment `as_of` and
starts a whole number of days before it. Cutting the timeline at every such
boundary, for every requested moment, gives a handful of segments; any window
is then a contiguous run of segments (prefix sums in numpy). The digest's
"now" and "a week ago" therefore cost one scan.

Recency weights are linear in age — a message at the far edge of a window
counts a quarter of one written at `as_of` — so they decompose: with t the
message time in days, Σw = n − c·(n·T − Σt) and Σw·s = Σs − c·(T·Σs − Σt·s),
where T is the window's end and c = 0.75 / window length. The scan only
sums t and t·s.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.health.rules import HealthRules
from storage.health_scan import ScanThresholds, SegmentFigures

#: The recency-weighted averages reported for every account, in days.
WINDOWS = (7, 30, 90)
#: How much less the oldest message of a window counts than the newest.
EDGE_WEIGHT = 0.25


def _days(moment: datetime) -> float:
    return moment.timestamp() / 86400.0


def window_offsets(rules: HealthRules) -> dict[str, int]:
    """Every window boundary, in days before `as_of`."""
    return {
        "d7": 7,
        "recent": rules.recent_days,
        "d30": 30,
        "detractor": rules.detractor_days,
        "earlier": rules.recent_days + rules.earlier_days,
        "baseline": rules.baseline_days,
        "d90": 90,
        "start": rules.window_days,
    }


def segment_boundaries(moments: list[datetime], rules: HealthRules) -> list[datetime]:
    """Every window boundary of every moment, newest first (where the scan cuts the timeline)."""
    offsets = window_offsets(rules).values()
    return sorted(
        {m for moment in moments for m in [moment, *(moment - timedelta(days=d) for d in offsets)]},
        reverse=True,
    )


def scan_thresholds(rules: HealthRules) -> ScanThresholds:
    """The scores the scan counts messages by."""
    return ScanThresholds(rules.warning_score, rules.critical_score, rules.detractor_max)


class WindowView:
    """Window sums for one moment, as arrays over accounts."""

    def __init__(self, moment: datetime, figures: SegmentFigures) -> None:
        self.moment = moment
        self.index = {b: i for i, b in enumerate(figures.boundaries)}
        self.prefix, self.maxes, self.mins = figures.prefix, figures.maxes, figures.mins

    def _span(self, newer_days: int, older_days: int) -> tuple[int, int]:
        return (
            self.index[self.moment - timedelta(days=newer_days)],
            self.index[self.moment - timedelta(days=older_days)],
        )

    def total(self, name: str, newer_days: int, older_days: int) -> np.ndarray:
        i, j = self._span(newer_days, older_days)
        return self.prefix[name][:, j] - self.prefix[name][:, i]

    def maximum(self, name: str, newer_days: int, older_days: int) -> np.ndarray:
        i, j = self._span(newer_days, older_days)
        return self.maxes[name][:, i:j].max(axis=1) if j > i else np.full(self.maxes[name].shape[0], -np.inf)

    def minimum(self, name: str, newer_days: int, older_days: int) -> np.ndarray:
        i, j = self._span(newer_days, older_days)
        return self.mins[name][:, i:j].min(axis=1) if j > i else np.full(self.mins[name].shape[0], np.inf)

    def weighted_average(self, days: int) -> np.ndarray:
        """Linear recency weights over the last `days`; NaN where there is no scored message."""
        n, s = self.total("n", 0, days), self.total("s", 0, days)
        t, ts = self.total("t", 0, days), self.total("ts", 0, days)
        now = _days(self.moment)
        slope = (1.0 - EDGE_WEIGHT) / days
        weights = n - slope * (n * now - t)
        weighted = s - slope * (now * s - ts)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(weights > 0, weighted / weights, np.nan)


def to_moment(days: float) -> datetime | None:
    """Epoch days (as the scan returns them) back to a UTC datetime; None for 'no such message'."""
    if not math.isfinite(days):
        return None
    return datetime.fromtimestamp(round(days * 86400.0, 3), UTC)
