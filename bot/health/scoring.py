"""Account health: recency-weighted tone, trend, the account's own baseline and the traffic light.

Everything per account is aggregated in one SQL pass over the messages of the
last 90 days (`storage.health_scan`: conditional sums, portable between SQLite
and PostgreSQL, cut into the windows of `bot.health.windows`); the rules in
`bot.health.rules` then turn each row into points and a colour. Time
is an input (`as_of`), so the same history gives the same answer at any moment,
which is what `--as-of` and the tests rely on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from bot.accounts.episodes import AccountContext, account_contexts, incident_messages
from bot.health.rules import HealthRules, Light, Trend
from bot.health.windows import (
    WINDOWS,
    WindowView,
    scan_thresholds,
    segment_boundaries,
    to_moment,
    window_offsets,
)
from storage.db import Transaction
from storage.health import accounts_for_health, open_alert_counts
from storage.health_scan import segment_figures
from storage.queries import conversation_rows
from storage.tenants import DEFAULT_TENANT, tenants_in_use

#: Alert severities that count double as open alerts.
CRITICAL_SEVERITIES = ("critical", "high", "red")


@dataclass
class Signal:
    """One reason for an account's points, with what would clear it and the messages behind it."""

    code: str
    points: int
    text: str
    clear: str
    message_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "points": self.points,
            "text": self.text,
            "clear": self.clear,
            "message_ids": list(self.message_ids),
        }


@dataclass
class AccountStats:
    """One account's aggregates, exactly as the SQL pass returns them."""

    account_id: int
    messages: int = 0
    last_message_at: datetime | None = None
    weighted: dict[int, float | None] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    n_recent: int = 0
    sum_recent: float = 0.0
    neg_recent: int = 0
    crit_recent: int = 0
    last_critical_at: datetime | None = None
    churn_recent: int = 0
    last_churn_at: datetime | None = None
    competitor_recent: int = 0
    last_competitor_at: datetime | None = None
    n_earlier: int = 0
    sum_earlier: float = 0.0
    n_base: int = 0
    sum_base: float = 0.0
    neg_base: int = 0
    crit_base: int = 0
    negative_30d: int = 0
    expansion_30d: int = 0
    nps_low: float | None = None
    nps_low_at: datetime | None = None
    nps_high: float | None = None
    #: The latest churn-flagged message in the whole window (what an account said before going quiet).
    last_churn_any_at: datetime | None = None


@dataclass
class AccountHealth:
    account_id: int
    account: str
    owner: str | None
    as_of: datetime
    light: Light
    trend: Trend
    points: int
    averages: dict[int, float | None]
    messages_30d: int
    negative_30d: int
    messages_recent: int
    baseline: float
    recent_average: float | None
    earlier_average: float | None
    signals: list[Signal]
    open_alerts: int
    critical_alerts: int
    expansion_30d: int
    promoter: float | None
    last_message_at: datetime | None
    silent_days: int | None

    @property
    def average_7d(self) -> float | None:
        return self.averages.get(7)

    @property
    def average_30d(self) -> float | None:
        return self.averages.get(30)

    @property
    def average_90d(self) -> float | None:
        return self.averages.get(90)

    @property
    def needs_attention(self) -> bool:
        return self.light is not Light.green

    @property
    def is_opportunity(self) -> bool:
        return self.expansion_30d > 0 or self.promoter is not None


@dataclass
class StatsTable:
    """Every account's aggregates at one moment, as numpy columns (row i is account `ids[i]`)."""

    moment: datetime
    ids: list[int]
    columns: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        self._lists: dict[str, list] | None = None

    def row(self, index: int) -> AccountStats:
        if self._lists is None:  # one conversion per column beats a numpy scalar per value
            self._lists = {name: column.tolist() for name, column in self.columns.items()}
        value = {name: column[index] for name, column in self._lists.items()}
        return AccountStats(
            account_id=self.ids[index],
            messages=int(value["messages"]),
            last_message_at=to_moment(value["last"]),
            weighted={d: _average(value[f"avg{d}"]) for d in WINDOWS},
            counts={d: int(value[f"n{d}"]) for d in WINDOWS},
            n_recent=int(value["n_recent"]),
            sum_recent=value["sum_recent"],
            neg_recent=int(value["neg_recent"]),
            crit_recent=int(value["crit_recent"]),
            last_critical_at=to_moment(value["crit_last"]),
            churn_recent=int(value["churn_recent"]),
            last_churn_at=to_moment(value["churn_last"]),
            competitor_recent=int(value["competitor_recent"]),
            last_competitor_at=to_moment(value["competitor_last"]),
            n_earlier=int(value["n_earlier"]),
            sum_earlier=value["sum_earlier"],
            n_base=int(value["n_base"]),
            sum_base=value["sum_base"],
            neg_base=int(value["neg_base"]),
            crit_base=int(value["crit_base"]),
            negative_30d=int(value["neg30"]),
            expansion_30d=int(value["expansion30"]),
            nps_low=None if math.isinf(value["nps_low"]) else value["nps_low"],
            nps_low_at=to_moment(value["nps_low_at"]),
            nps_high=None if math.isinf(value["nps_high"]) else value["nps_high"],
            last_churn_any_at=to_moment(value["churn_last_any"]),
        )


def stats_tables(
    tx: Transaction, moments: list[datetime], rules: HealthRules, account_ids: list[int] | None = None
) -> list[StatsTable]:
    """Per-account aggregates for each moment in `moments`, from one scan (see `bot.health.windows`)."""
    boundaries = segment_boundaries(moments, rules)
    figures = segment_figures(tx, boundaries, scan_thresholds(rules), account_ids)
    offsets = window_offsets(rules)
    recent, earlier, base, start = (
        rules.recent_days,
        offsets["earlier"],
        rules.baseline_days,
        rules.window_days,
    )
    tables = []
    for moment in moments:
        view = WindowView(moment, figures)
        columns = {
            "messages": view.total("n_all", 0, start),
            "last": view.maximum("last", 0, start),
            "n_recent": view.total("n", 0, recent),
            "sum_recent": view.total("s", 0, recent),
            "neg_recent": view.total("neg", 0, recent),
            "crit_recent": view.total("crit", 0, recent),
            "crit_last": view.maximum("crit_last", 0, recent),
            "churn_recent": view.total("churn", 0, recent),
            "churn_last": view.maximum("churn_last", 0, recent),
            "churn_last_any": view.maximum("churn_last", 0, start),
            "competitor_recent": view.total("competitor", 0, recent),
            "competitor_last": view.maximum("competitor_last", 0, recent),
            "n_earlier": view.total("n", recent, earlier),
            "sum_earlier": view.total("s", recent, earlier),
            "n_base": view.total("n", recent, base),
            "sum_base": view.total("s", recent, base),
            "neg_base": view.total("neg", recent, base),
            "crit_base": view.total("crit", recent, base),
            "neg30": view.total("neg", 0, 30),
            "expansion30": view.total("expansion", 0, 30),
            "nps_low": view.minimum("nps_low", 0, rules.detractor_days),
            "nps_low_at": view.maximum("nps_low_at", 0, rules.detractor_days),
            "nps_high": view.maximum("nps_high", 0, start),
        }
        for days in WINDOWS:
            columns[f"n{days}"] = view.total("n", 0, days)
            columns[f"avg{days}"] = view.weighted_average(days)
        tables.append(StatsTable(moment, figures.account_ids, columns))
    return tables


def account_stats_many(
    tx: Transaction, moments: list[datetime], rules: HealthRules, account_ids: list[int] | None = None
) -> list[dict[int, AccountStats]]:
    """Per-account aggregates for each moment, as objects (accounts without messages left out)."""
    return [
        {table.ids[i]: table.row(i) for i in range(len(table.ids)) if table.columns["messages"][i]}
        for table in stats_tables(tx, moments, rules, account_ids)
    ]


def _average(value: float) -> float | None:
    return None if value != value else round(value, 4)  # NaN: no scored message


def account_stats(
    tx: Transaction, as_of: datetime, rules: HealthRules, account_ids: list[int] | None = None
) -> dict[int, AccountStats]:
    """Per-account aggregates over the customer messages of the rules' window before `as_of`."""
    return account_stats_many(tx, [as_of], rules, account_ids)[0]


def quiet_accounts(table: StatsTable, open_alerts: np.ndarray, rules: HealthRules) -> np.ndarray:
    """True for accounts that certainly raise no signal (so `evaluate` need not run for them).

    A conservative screen over the same formulas as `evaluate`: every test errs toward "maybe",
    and `evaluate` decides for those. `tests/health/test_health.py` checks the screen never hides a signal.
    """
    c = table.columns
    k = rules.baseline_prior_weight
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline = (c["sum_base"] + rules.baseline_prior * k) / (c["n_base"] + k)
        usual_share = (c["neg_base"] + rules.baseline_negative_share_prior * k) / (c["n_base"] + k)
        share = np.where(c["n_recent"] > 0, c["neg_recent"] / c["n_recent"], 0.0)
        pulled = (c["sum_recent"] + baseline * rules.recent_prior_weight) / (
            c["n_recent"] + rules.recent_prior_weight
        )
        margin = 1e-6
        maybe = (
            (c["crit_recent"] > 0)
            | (c["churn_recent"] > 0)
            | (c["competitor_recent"] > 0)
            | (open_alerts > 0)
            | (c["nps_low"] <= rules.detractor_max)
            | (c["nps_high"] >= rules.promoter_min)
            | (
                (c["n_recent"] >= rules.negative_share_min_messages)
                & (share - usual_share >= rules.negative_share_step - margin)
            )
            | ((c["n_recent"] > 0) & (baseline - pulled >= rules.drop_step - margin))
            | ((c["n30"] >= 3) & (c["avg30"] <= rules.persistent_average + 1e-4))
            | (
                (c["messages"] >= rules.silent_min_messages)
                & (c["last"] <= table.moment.timestamp() / 86400.0 - rules.silent_days + 1e-3)
            )
        )
        recent = c["sum_recent"] / c["n_recent"]
        earlier = c["sum_earlier"] / c["n_earlier"]
        counted = (c["n_recent"] >= rules.trend_min_recent) & (c["n_earlier"] >= rules.trend_min_earlier)
        maybe |= counted & (recent - earlier <= -rules.trend_delta + margin)
    return ~maybe


def _day(moment: datetime | None) -> str:
    return moment.strftime("%b %d").replace(" 0", " ") if moment else "?"


def _steps(value: float, step: float, cap: int = 2) -> int:
    return max(0, min(cap, math.floor(value / step + 1e-9)))


@dataclass
class Evaluation:
    points: int
    light: Light
    trend: Trend
    signals: list[Signal]
    baseline: float
    recent_average: float | None
    earlier_average: float | None


def evaluate(
    stats: AccountStats,
    alerts: tuple[int, int],
    rules: HealthRules,
    as_of: datetime,
    context: AccountContext | None = None,
) -> Evaluation:
    """Points, light, trend and the signals behind them, for one account (pure; see bot/health/rules.py).

    `context` (from `bot.accounts.episodes`) says which strongly negative messages are still open
    problems and how strong a churn signal is; without it every such message counts as open.
    """
    signals: list[Signal] = []
    window = rules.recent_days

    def leaves(moment: datetime | None) -> str:
        return _day(moment + timedelta(days=window)) if moment else "?"

    if stats.churn_recent:
        corroborated = context is None or context.churn_strong or context.churn_messages != 1
        corroborated = corroborated or stats.competitor_recent > 0
        many = stats.churn_recent > 1
        signals.append(
            Signal(
                "churn_risk",
                rules.churn_points if corroborated else rules.churn_hint_points,
                (
                    f"churn risk: {stats.churn_recent} message{'s' if many else ''} about "
                    "cancelling, not renewing or cutting seats"
                )
                if corroborated
                else "a possible churn hint in one message that is not strongly negative: worth asking about",
                f"settle it with the customer; no new churn signal until {leaves(stats.last_churn_at)}",
            )
        )
    if stats.competitor_recent:
        signals.append(
            Signal(
                "competitor",
                rules.competitor_points,
                "a competitor was mentioned",
                f"no competitor mention until {leaves(stats.last_competitor_at)}",
            )
        )

    k = rules.baseline_prior_weight
    baseline = (stats.sum_base + rules.baseline_prior * k) / (stats.n_base + k) if stats.n_base + k else 0.0
    usual_share = (
        (stats.neg_base + rules.baseline_negative_share_prior * k) / (stats.n_base + k)
        if (stats.n_base + k)
        else rules.baseline_negative_share_prior
    )
    recent_average = stats.sum_recent / stats.n_recent if stats.n_recent else None

    # Strongly negative messages count beyond what is usual for this account (a terse team's
    # "Deploy failed." scores low every week; that is its normal, not news).
    usual_critical = (
        (stats.crit_base + rules.baseline_critical_share_prior * k) / (stats.n_base + k)
        if (stats.n_base + k)
        else rules.baseline_critical_share_prior
    )
    expected_critical = usual_critical * stats.n_recent
    # Beyond the usual count plus its natural spread (Poisson: one standard deviation), once the
    # account usually has any; below that a single strongly negative message counts.
    spread = math.sqrt(expected_critical) if expected_critical >= 1 else 0.0
    # Follow-ups in one conversation are one problem; answered problems the customer has moved on
    # from are settled (see bot/accounts/episodes.py).
    open_problems = stats.crit_recent if context is None else len(context.open_episodes)
    excess_critical = max(0, round(open_problems - expected_critical - spread))
    if excess_critical:
        usual = f"; about {expected_critical:.0f} would be usual here" if expected_critical >= 0.5 else ""
        grouped = ""
        if context is not None and open_problems != stats.crit_recent:
            grouped = f", {open_problems} open problem{'s' if open_problems > 1 else ''}"
        signals.insert(
            0,
            Signal(
                "critical_messages",
                min(excess_critical * rules.critical_points, rules.critical_cap),
                f"{stats.crit_recent} strongly negative message{'s' if stats.crit_recent > 1 else ''} "
                f"in {window} days{grouped}{usual}",
                f"no new strongly negative message; the latest leaves the {window}-day window on "
                f"{leaves(stats.last_critical_at)}",
            ),
        )
    settled = context.settled_episodes if context is not None else []
    settled_messages = sum(len(e.message_ids) for e in settled)
    if settled_messages >= rules.recovering_min_messages and rules.recovering_points:
        last_settled = max(e.last_at for e in settled)
        signals.append(
            Signal(
                "recovering",
                rules.recovering_points,
                f"recovering: {settled_messages} strongly negative messages in {window} days, answered, "
                "and the customer's messages since are calm",
                f"no new strongly negative message; the last leaves the {window}-day window on "
                f"{leaves(last_settled)}",
            )
        )
    if stats.last_message_at is not None and stats.messages >= rules.silent_min_messages:
        quiet_days = (as_of - stats.last_message_at).days
        if quiet_days >= rules.silent_days and rules.silent_points:
            before = ""
            churned = stats.last_churn_any_at
            if churned is not None and churned >= stats.last_message_at - timedelta(days=window):
                before = (
                    f", shortly after a churn signal on {_day(churned)} "
                    "(a cancellation, a cut or a champion leaving)"
                )
            signals.append(
                Signal(
                    "silent",
                    rules.silent_points,
                    f"gone quiet: no message from the customer for {quiet_days} days{before}",
                    "hear from the customer again",
                )
            )

    if stats.n_recent >= rules.negative_share_min_messages:
        share = stats.neg_recent / stats.n_recent
        points = _steps(share - usual_share, rules.negative_share_step)
        if points:
            signals.append(
                Signal(
                    "negative_share",
                    points,
                    f"{stats.neg_recent} of {stats.n_recent} messages negative (usually {usual_share:.0%})",
                    f"the share of negative messages back near the usual {usual_share:.0%}",
                )
            )
    if stats.n_recent:
        weight = rules.recent_prior_weight
        pulled = (stats.sum_recent + baseline * weight) / (stats.n_recent + weight)
        points = _steps(baseline - pulled, rules.drop_step)
        if points:
            signals.append(
                Signal(
                    "below_baseline",
                    points,
                    f"tone {recent_average:+.2f} over {window} days against this account's usual "
                    f"{baseline:+.2f}",
                    f"tone back within {rules.drop_step:.2f} of the usual {baseline:+.2f}",
                )
            )
    average_30d = stats.weighted.get(30)
    if average_30d is not None and stats.counts.get(30, 0) >= 3 and average_30d <= rules.persistent_average:
        signals.append(
            Signal(
                "persistently_negative",
                rules.persistent_points,
                f"30-day average {average_30d:+.2f}: unhappy, even if that has become normal",
                f"30-day average above {rules.persistent_average:+.2f}",
            )
        )
    open_total, open_critical = alerts
    handled = context.handled_alerts if context is not None else 0
    handled_critical = context.handled_critical_alerts if context is not None else 0
    open_total, open_critical = open_total - handled, open_critical - handled_critical
    # (An open alert whose conversation is settled is left to acknowledge; it adds no risk.)
    if open_total:
        points = min(
            rules.open_alert_cap,
            open_critical * rules.open_critical_alert_points
            + (open_total - open_critical) * rules.open_alert_points,
        )
        signals.append(
            Signal(
                "open_alerts",
                points,
                f"{open_total} open alert{'s' if open_total > 1 else ''}"
                + (f" ({open_critical} critical)" if open_critical else ""),
                "resolve the open alerts",
            )
        )
    if stats.nps_low is not None and stats.nps_low <= rules.detractor_max:
        ages_out = stats.nps_low_at + timedelta(days=rules.detractor_days) if stats.nps_low_at else None
        signals.append(
            Signal(
                "nps_detractor",
                rules.detractor_points,
                f"NPS detractor ({stats.nps_low:g})",
                f"a better NPS answer, or {rules.detractor_days} days after it ({_day(ages_out)})",
            )
        )
    if stats.nps_high is not None and stats.nps_high >= rules.promoter_min and rules.promoter_points:
        signals.append(
            Signal(
                "nps_promoter",
                rules.promoter_points,
                f"NPS promoter ({stats.nps_high:g})",
                "a detractor answer or the promoter answer ageing out",
            )
        )

    earlier_average = stats.sum_earlier / stats.n_earlier if stats.n_earlier else None
    trend = Trend.stable
    if (
        recent_average is not None
        and earlier_average is not None
        and stats.n_recent >= rules.trend_min_recent
        and stats.n_earlier >= rules.trend_min_earlier
    ):
        # A trend ends outside the neutral band in its direction: a team that moves from thanking
        # us to asking neutral questions is not declining.
        delta = recent_average - earlier_average
        if delta <= -rules.trend_delta and recent_average <= -rules.trend_band:
            trend = Trend.declining
        elif delta >= rules.trend_delta and recent_average >= rules.trend_band and not stats.crit_recent:
            # A fortnight that holds a strongly negative message is mixed, not better; an account that
            # got over its problems is "recovering" below.
            trend = Trend.improving
    if (
        settled_messages >= rules.recovering_min_messages
        and trend is not Trend.declining
        and context is not None
        and context.after_mean is not None
        and context.after_count >= rules.trend_min_earlier
        and context.after_mean >= max(baseline, earlier_average if earlier_average is not None else baseline)
    ):
        trend = Trend.improving  # recovering: the messages since the settled problems are back above normal
    if trend is Trend.declining and rules.declining_points:
        signals.append(
            Signal(
                "declining",
                rules.declining_points,
                f"declining: {recent_average:+.2f} over {window} days, {earlier_average:+.2f} in the "
                f"{rules.earlier_days} days before",
                "recent tone back to the earlier level",
            )
        )
    signals = _cap_tone(signals, rules.tone_cap)
    points = max(0, sum(signal.points for signal in signals))
    return Evaluation(
        points,
        rules.light_for(points),
        trend,
        signals,
        round(baseline, 4),
        None if recent_average is None else round(recent_average, 4),
        None if earlier_average is None else round(earlier_average, 4),
    )


#: Signals that read the same recent messages' tone; together they add at most `tone_cap` points.
#: Trimmed in this order (the first loses points first).
TONE_SIGNALS = ("declining", "negative_share", "below_baseline")


def _cap_tone(signals: list[Signal], cap: int) -> list[Signal]:
    if not signals:
        return signals
    excess = sum(s.points for s in signals if s.code in TONE_SIGNALS) - cap
    if excess <= 0:
        return signals
    for code in TONE_SIGNALS:
        for signal in signals:
            if excess > 0 and signal.code == code:
                cut = min(signal.points, excess)
                signal.points -= cut
                excess -= cut
    return [s for s in signals if s.points != 0]


def compute_health_many(
    tx: Transaction,
    moments: list[datetime],
    rules: HealthRules,
    account_ids: list[int] | None = None,
    owner: str | None = None,
    tenant: str = DEFAULT_TENANT,
) -> list[list[AccountHealth]]:
    """The health of every account of the tenant (or of the given ones, or one owner's) at each moment,
    from one scan.

    Accounts the vectorized screen finds quiet skip `evaluate` (nothing to explain); the others
    get the full evaluation with its signals.
    """
    accounts = accounts_for_health(tx, tenant, account_ids, owner)
    wanted = [row.id for row in accounts]
    prepared = []
    for table in stats_tables(tx, moments, rules, wanted):
        alerts = open_alert_counts(tx, table.moment, CRITICAL_SEVERITIES, wanted)
        position = {account_id: index for index, account_id in enumerate(table.ids)}
        # Complaints counted by a cross-account incident (of this tenant's accounts) leave the accounts'
        # own tone.
        excluded: dict[int, list] = {}
        for row in incident_messages(tx, table.moment, rules, tenant=tenant):
            if row.is_customer and row.score is not None and row.account_id in position:
                excluded.setdefault(row.account_id, []).append(row)
        stats_by_id: dict[int, AccountStats] = {}
        for account_id, rows in excluded.items():
            reduced = stats_by_id[account_id] = table.row(position[account_id])
            _leave_out(reduced, rows, table.moment, rules)
        open_alerts = np.array([alerts.get(a, (0, 0))[0] for a in table.ids], dtype=float)
        quiet = quiet_accounts(table, open_alerts, rules).tolist()
        columns = table.columns
        needs_context = [
            account_id
            for account_id, _, _ in accounts
            if (index := position.get(account_id)) is not None
            and not quiet[index]
            and (
                account_id in excluded
                or account_id in alerts
                or columns["crit_recent"][index]
                # (a churn signal is weighed by its messages only when it is one message, no competitor)
                or (columns["churn_recent"][index] == 1 and not columns["competitor_recent"][index])
            )
        ]
        prepared.append((table, alerts, position, excluded, stats_by_id, quiet, needs_context))
    # One read of the conversations for every moment (the digest asks for this week and last).
    wanted_context = sorted({a for item in prepared for a in item[-1]})
    conversations = (
        conversation_rows(
            tx,
            wanted_context,
            min(moments) - timedelta(days=rules.recent_days),
            max(moments),
        )
        if wanted_context
        else []
    )
    results = []
    for table, alerts, position, excluded, stats_by_id, quiet, needs_context in prepared:
        contexts = account_contexts(
            tx,
            table.moment,
            rules,
            needs_context,
            {a: {row.id for row in rows} for a, rows in excluded.items()},
            conversations,
        )
        plain = _QuietColumns(table, rules)
        healths = []
        for account_id, name, account_owner in accounts:
            index = position.get(account_id)
            if index is not None and quiet[index] and account_id not in excluded:
                healths.append(plain.health(index, name, account_owner, rules))
            else:
                stats = stats_by_id.get(account_id) or (table.row(index) if index is not None else None)
                healths.append(
                    _health(
                        table.moment,
                        account_id,
                        name,
                        account_owner,
                        stats,
                        alerts,
                        rules,
                        contexts.get(account_id),
                    )
                )
        results.append(healths)
    return results


def _leave_out(stats: AccountStats, rows: list, moment: datetime, rules: HealthRules) -> None:
    """Takes messages out of the recent, earlier and baseline sums (the weighted averages keep them)."""
    for row in rows:
        age = moment - row.created_at
        negative = row.score <= rules.warning_score
        critical = row.score <= rules.critical_score
        if age < timedelta(days=rules.recent_days):
            stats.n_recent -= 1
            stats.sum_recent -= row.score
            stats.neg_recent -= negative
            stats.crit_recent -= critical
            continue
        if age < timedelta(days=rules.recent_days + rules.earlier_days):
            stats.n_earlier -= 1
            stats.sum_earlier -= row.score
        if age < timedelta(days=rules.baseline_days):
            stats.n_base -= 1
            stats.sum_base -= row.score
            stats.neg_base -= negative
            stats.crit_base -= critical


class _QuietColumns:
    """Builds `AccountHealth` for quiet accounts straight from the columns (same numbers as `evaluate`)."""

    def __init__(self, table: StatsTable, rules: HealthRules) -> None:
        c = table.columns
        k = rules.baseline_prior_weight
        with np.errstate(invalid="ignore", divide="ignore"):
            baseline = (c["sum_base"] + rules.baseline_prior * k) / (c["n_base"] + k)
            recent = c["sum_recent"] / c["n_recent"]
            earlier = c["sum_earlier"] / c["n_earlier"]
        counted = (c["n_recent"] >= rules.trend_min_recent) & (c["n_earlier"] >= rules.trend_min_earlier)
        delta = recent - earlier
        self.moment = table.moment
        self.ids = table.ids
        self.improving = (
            counted & (delta >= rules.trend_delta) & (recent >= rules.trend_band) & (c["crit_recent"] == 0)
        ).tolist()
        self.baseline = baseline.tolist()
        self.recent = recent.tolist()
        self.earlier = earlier.tolist()
        self.columns = {
            name: c[name].tolist()
            for name in (
                "avg7",
                "avg30",
                "avg90",
                "n30",
                "neg30",
                "n_recent",
                "n_earlier",
                "expansion30",
                "last",
                "messages",
            )
        }

    def health(self, index: int, name: str, owner: str | None, rules: HealthRules) -> AccountHealth:
        c = self.columns
        last = to_moment(c["last"][index])
        silent = None
        if last is not None and c["messages"][index] >= rules.silent_min_messages:
            quiet_days = (self.moment - last).days
            silent = quiet_days if quiet_days >= rules.silent_days else None
        return AccountHealth(
            account_id=self.ids[index],
            account=name,
            owner=owner,
            as_of=self.moment,
            light=rules.light_for(0),
            trend=Trend.improving if self.improving[index] else Trend.stable,
            points=0,
            averages={d: _average(c[f"avg{d}"][index]) for d in WINDOWS},
            messages_30d=int(c["n30"][index]),
            negative_30d=int(c["neg30"][index]),
            messages_recent=int(c["n_recent"][index]),
            baseline=round(self.baseline[index], 4),
            recent_average=round(self.recent[index], 4) if c["n_recent"][index] else None,
            earlier_average=round(self.earlier[index], 4) if c["n_earlier"][index] else None,
            signals=[],
            open_alerts=0,
            critical_alerts=0,
            expansion_30d=int(c["expansion30"][index]),
            promoter=None,
            last_message_at=last,
            silent_days=silent,
        )


def compute_health(
    tx: Transaction,
    as_of: datetime,
    rules: HealthRules,
    account_ids: list[int] | None = None,
    owner: str | None = None,
    tenant: str = DEFAULT_TENANT,
) -> list[AccountHealth]:
    """The health of every account of the tenant (or of the given ones, or of one owner's) at `as_of`."""
    return compute_health_many(tx, [as_of], rules, account_ids, owner, tenant)[0]


def compute_health_everywhere(tx: Transaction, as_of: datetime, rules: HealthRules) -> list[AccountHealth]:
    """`compute_health` for every tenant's accounts, tenant by tenant (for work no person reads:
    recording colour changes, the CRM sync)."""
    return [
        health
        for tenant in tenants_in_use(tx)
        for health in compute_health(tx, as_of, rules, tenant=tenant)
    ]


def _health(
    as_of: datetime,
    account_id: int,
    name: str,
    owner: str | None,
    stats: AccountStats | None,
    alerts: dict[int, tuple[int, int]],
    rules: HealthRules,
    context: AccountContext | None = None,
) -> AccountHealth:
    item = stats or AccountStats(account_id=account_id)
    open_total, open_critical = alerts.get(account_id, (0, 0))
    evaluation = evaluate(item, (open_total, open_critical), rules, as_of, context)
    silent = None
    if item.last_message_at is not None and item.messages >= rules.silent_min_messages:
        quiet_days = (as_of - item.last_message_at).days
        silent = quiet_days if quiet_days >= rules.silent_days else None
    promoter = item.nps_high if item.nps_high is not None and item.nps_high >= rules.promoter_min else None
    return AccountHealth(
        account_id=account_id,
        account=name,
        owner=owner,
        as_of=as_of,
        light=evaluation.light,
        trend=evaluation.trend,
        points=evaluation.points,
        averages={days: item.weighted.get(days) for days in WINDOWS},
        messages_30d=item.counts.get(30, 0),
        negative_30d=item.negative_30d,
        messages_recent=item.n_recent,
        baseline=evaluation.baseline,
        recent_average=evaluation.recent_average,
        earlier_average=evaluation.earlier_average,
        signals=evaluation.signals,
        open_alerts=open_total,
        critical_alerts=open_critical,
        expansion_30d=item.expansion_30d,
        promoter=promoter,
        last_message_at=item.last_message_at,
        silent_days=silent,
    )
