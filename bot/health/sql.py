"""The per-account aggregates behind health, for one or several moments, in ONE SQL pass.

Every window the rules use (7/30/90 days, the recent window, the earlier
window, the baseline, the detractor window) ends at a moment `as_of` and
starts a whole number of days before it. Cutting the timeline at every such
boundary, for every requested moment, gives a handful of segments; the
database groups messages by (account, segment) with plain sums, counts and
maxima, and any window is then a contiguous run of segments (prefix sums in
numpy). The digest's "now" and "a week ago" therefore cost one scan.

Recency weights are linear in age — a message at the far edge of a window
counts a quarter of one written at `as_of` — so they decompose: with t the
message time in days, Σw = n − c·(n·T − Σt) and Σw·s = Σs − c·(T·Σs − Σt·s),
where T is the window's end and c = 0.75 / window length. The database only
sums t and t·s.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlmodel import Session

from bot.health.rules import HealthRules
from storage.models import CustomerMessage

#: The recency-weighted averages reported for every account, in days.
WINDOWS = (7, 30, 90)
#: How much less the oldest message of a window counts than the newest.
EDGE_WEIGHT = 0.25

_M = CustomerMessage.__table__.c
#: Summed per (account, segment).
SUMS = ("n_all", "n", "s", "t", "ts", "neg", "crit", "churn", "competitor", "expansion", "nps_low_n")
#: Maximum per (account, segment) of a time in epoch days, or of a score.
MAXES = ("last", "crit_last", "churn_last", "competitor_last", "nps_low_at", "nps_high")
MINS = ("nps_low",)


def _epoch_days(column, dialect: str):
    if dialect == "sqlite":
        return func.julianday(column) - 2440587.5
    # date_part returns float8; EXTRACT returns numeric on PostgreSQL 14+, several times slower here.
    return func.date_part(literal_column("'epoch'"), column) / 86400.0


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


def segment_stats(
    session: Session, moments: list[datetime], rules: HealthRules, account_ids: list[int] | None = None
) -> tuple[list[datetime], list[int], dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Boundaries (newest first), account ids, and per (account, segment) prefix sums, maxima and minima.

    Three grouped scans of the covering index `ix_messages_health`: plain sums over the scored
    messages, a count of the unscored ones (for silence), and the rare signals (strongly negative,
    churn, competitor, expansion, NPS) over only the messages that carry one, which keeps a dozen
    CASE expressions off the common rows. An NPS answer counts even when its comment could not be
    scored.
    """
    dialect = session.get_bind().dialect.name
    offsets = window_offsets(rules)
    boundaries = sorted(
        {m for moment in moments for m in [moment, *(moment - timedelta(days=d) for d in offsets.values())]},
        reverse=True,
    )
    created, score = _M.created_at, _M.score
    segment = case(
        *((created > boundary, index) for index, boundary in enumerate(boundaries[1:-1])),
        else_=len(boundaries) - 2,
    ).label("segment")
    # Stored with the analysis (migration 0006); rows analyzed before that migration lack it, so it is
    # computed here for them.
    t = func.coalesce(_M.created_day, _epoch_days(created, dialect))
    critical = score <= rules.critical_score
    nps = _M.source_kind == "nps"
    detractor = nps & (_M.source_score <= rules.detractor_max)
    scored = score.is_not(None)
    common = [  # over scored messages only: no per-row test for a missing score
        func.count(),
        func.sum(score),
        func.sum(t),
        func.sum(t * score),
        func.count(case((score <= rules.warning_score, 1))),
        func.count(case((critical, 1))),
        # The newest message's time, converted once per group rather than once per row.
        _epoch_days(func.max(created), dialect),
    ]
    unscored = [func.count(), _epoch_days(func.max(created), dialect)]  # pending, invalid, abstained
    rare = [
        func.count(case((_M.churn_risk & scored, 1))),
        func.count(case((_M.competitor_mentioned & scored, 1))),
        func.count(case((_M.expansion & scored, 1))),
        func.count(case((detractor, 1))),
        func.max(case((critical, t))),
        func.max(case((_M.churn_risk & scored, t))),
        func.max(case((_M.competitor_mentioned & scored, t))),
        func.max(case((detractor, t))),
        func.max(case((nps, _M.source_score))),
        func.min(case((nps, _M.source_score))),
    ]
    where = [_M.is_customer, _M.account_id.is_not(None), created > boundaries[-1], created <= boundaries[0]]
    if account_ids is not None:
        where.append(_M.account_id.in_(account_ids))
    carries_signal = or_(
        and_(scored, or_(critical, _M.churn_risk, _M.competitor_mentioned, _M.expansion)), nps
    )
    # Grouped by the alias: repeating the CASE would evaluate it twice per row.
    group = (_M.account_id, literal_column("segment"))
    queries = [
        (common, [scored], [("n_all", "n"), ("s",), ("t",), ("ts",), ("neg",), ("crit",), ("last",)]),
        (unscored, [score.is_(None)], [("n_all",), ("last",)]),
        (
            rare,
            [carries_signal],
            [
                ("churn",),
                ("competitor",),
                ("expansion",),
                ("nps_low_n",),
                ("crit_last",),
                ("churn_last",),
                ("competitor_last",),
                ("nps_low_at",),
                ("nps_high",),
                ("nps_low",),
            ],
        ),
    ]
    fetched = [
        (
            _fetch(session, select(_M.account_id, segment, *columns).where(*where, *extra).group_by(*group)),
            places,
        )
        for columns, extra, places in queries
    ]
    segments = len(boundaries) - 1
    ids = np.unique(np.concatenate([rows[:, 0] for rows, _ in fetched])).astype(int)
    sums = np.zeros((len(ids), segments, len(SUMS)))
    maxes = np.full((len(ids), segments, len(MAXES)), -np.inf)
    mins = np.full((len(ids), segments, len(MINS)), np.inf)
    for rows, places in fetched:
        if not len(rows):
            continue
        at = (np.searchsorted(ids, rows[:, 0].astype(int)), rows[:, 1].astype(int))
        for column, names in enumerate(places, start=2):
            values = rows[:, column]
            for name in names:  # each (account, segment) occurs once per query, so += and fmax are safe
                if name in SUMS:
                    sums[at + (SUMS.index(name),)] += np.nan_to_num(values)
                elif name in MAXES:
                    place = at + (MAXES.index(name),)
                    maxes[place] = np.fmax(maxes[place], np.where(np.isnan(values), -np.inf, values))
                else:
                    place = at + (MINS.index(name),)
                    mins[place] = np.fmin(mins[place], np.where(np.isnan(values), np.inf, values))
    prefix = np.concatenate([np.zeros((len(ids), 1, len(SUMS))), np.cumsum(sums, axis=1)], axis=1)
    return (
        boundaries,
        ids.tolist(),
        {name: prefix[:, :, i] for i, name in enumerate(SUMS)},
        {name: maxes[:, :, i] for i, name in enumerate(MAXES)},
        {name: mins[:, :, i] for i, name in enumerate(MINS)},
    )


def _fetch(session: Session, query) -> np.ndarray:
    """All rows as a float array (NULL → NaN), without building a Python object per value."""
    result = session.execute(query)
    try:
        rows = result.cursor.fetchall()  # type: ignore[attr-defined]  # plain numbers: no type processing needed
    finally:
        result.close()
    return np.array(rows, dtype=float).reshape(len(rows), len(query.selected_columns))


class WindowView:
    """Window sums for one moment, as arrays over accounts."""

    def __init__(self, moment, boundaries, prefix, maxes, mins, offsets):
        self.moment = moment
        self.index = {b: i for i, b in enumerate(boundaries)}
        self.prefix, self.maxes, self.mins, self.offsets = prefix, maxes, mins, offsets

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
    """Epoch days (as the SQL returns them) back to a UTC datetime; None for 'no such message'."""
    if not math.isfinite(days):
        return None
    return datetime.fromtimestamp(round(days * 86400.0, 3), UTC)
