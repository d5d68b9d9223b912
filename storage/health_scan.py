"""The per-account figures behind health, cut into time segments, in one grouped scan per kind of row.

The caller cuts the timeline at `boundaries` (every window it needs, for every moment it asks
about, starts and ends at one of them). The database groups the customer messages by (account,
segment) with plain sums, counts and maxima; any window is then a contiguous run of segments,
summed from the prefix sums returned here. So several windows at several moments cost one scan.

Message times come back as epoch days (days since 1970-01-01 UTC). Besides each segment's count
and score sum, the scan sums the time t and t·score of the scored messages: recency weights
linear in age then decompose into these sums (bot/health/windows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select

from storage.db import Tx, orm
from storage.models import CustomerMessage, table_of

_M = table_of(CustomerMessage).c
#: Summed per (account, segment): messages (scored or not), scored messages, score, t, t·score,
#: negative and strongly negative messages, churn, competitor and expansion flags, NPS detractors.
SUMS = ("n_all", "n", "s", "t", "ts", "neg", "crit", "churn", "competitor", "expansion", "nps_low_n")
#: Maximum per (account, segment) of a time in epoch days (the latest such message), or of an NPS score.
MAXES = ("last", "crit_last", "churn_last", "competitor_last", "nps_low_at", "nps_high")
#: Minimum per (account, segment) of an NPS score.
MINS = ("nps_low",)


@dataclass(frozen=True)
class ScanThresholds:
    """The scores the scan counts messages by (the health rules' values)."""

    #: At or below: a negative message.
    warning_score: float
    #: At or below: a strongly negative message.
    critical_score: float
    #: An NPS answer at or below: a detractor.
    detractor_max: float


@dataclass
class SegmentFigures:
    """Per (account, segment) figures; row i of every array is account `account_ids[i]`.

    Segment k lies between `boundaries[k + 1]` (excluded) and `boundaries[k]` (included). `prefix`
    holds the running totals of `SUMS` from the newest segment (column 0 is all zeros, column k the
    sum of segments 0..k-1); `maxes` (−inf where none) and `mins` (+inf where none) are per segment.
    """

    boundaries: list[datetime]
    account_ids: list[int]
    prefix: dict[str, np.ndarray]
    maxes: dict[str, np.ndarray]
    mins: dict[str, np.ndarray]


def epoch_days(column, dialect: str):
    """A time column as days since 1970-01-01 UTC, in SQL."""
    if dialect == "sqlite":
        return func.julianday(column) - 2440587.5
    # date_part returns float8; EXTRACT returns numeric on PostgreSQL 14+, several times slower here.
    return func.date_part(literal_column("'epoch'"), column) / 86400.0


def segment_figures(
    tx: Tx,
    boundaries: Sequence[datetime],
    thresholds: ScanThresholds,
    account_ids: list[int] | None = None,
) -> SegmentFigures:
    """The figures of the customer messages between the oldest and the newest of `boundaries`
    (newest first, distinct), per account (only `account_ids`' when given) and segment.

    Three grouped scans of the covering index `ix_messages_health`: plain sums over the scored
    messages, a count of the unscored ones (for silence), and the rare signals (strongly negative,
    churn, competitor, expansion, NPS) over only the messages that carry one, which keeps a dozen
    CASE expressions off the common rows. An NPS answer counts even when its comment could not be
    scored.
    """
    session = orm(tx)
    dialect = session.get_bind().dialect.name
    boundaries = list(boundaries)
    created, score = _M.created_at, _M.score
    segment = case(
        *((created > boundary, index) for index, boundary in enumerate(boundaries[1:-1])),
        else_=len(boundaries) - 2,
    ).label("segment")
    # Stored with the analysis (migration 0006); rows analyzed before that migration lack it, so it is
    # computed here for them.
    t = func.coalesce(_M.created_day, epoch_days(created, dialect))
    critical = score <= thresholds.critical_score
    nps = _M.source_kind == "nps"
    detractor = nps & (_M.source_score <= thresholds.detractor_max)
    scored = score.is_not(None)
    common = [  # over scored messages only: no per-row test for a missing score
        func.count(),
        func.sum(score),
        func.sum(t),
        func.sum(t * score),
        func.count(case((score <= thresholds.warning_score, 1))),
        func.count(case((critical, 1))),
        # The newest message's time, converted once per group rather than once per row.
        epoch_days(func.max(created), dialect),
    ]
    unscored = [func.count(), epoch_days(func.max(created), dialect)]  # pending, invalid, abstained
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
    group: tuple[ColumnElement, ...] = (_M.account_id, literal_column("segment"))
    queries: list[tuple[Sequence[ColumnElement], Sequence[ColumnElement], list[tuple[str, ...]]]] = [
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
    return SegmentFigures(
        boundaries,
        ids.tolist(),
        {name: prefix[:, :, i] for i, name in enumerate(SUMS)},
        {name: maxes[:, :, i] for i, name in enumerate(MAXES)},
        {name: mins[:, :, i] for i, name in enumerate(MINS)},
    )


def _fetch(tx: Tx, query) -> np.ndarray:
    """All rows as a float array (NULL → NaN), without building a Python object per value."""
    session = orm(tx)
    result = session.execute(query)
    try:
        rows = result.cursor.fetchall()  # type: ignore[attr-defined]  # plain numbers: no type processing needed
    finally:
        result.close()
    return np.array(rows, dtype=float).reshape(len(rows), len(query.selected_columns))
