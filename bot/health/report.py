"""What a person reads about an account: evidence messages, concerns, what changed, what turns it back.

`bot.health.scoring` computes numbers for every account; this module fetches the
messages and concerns behind them for the few accounts someone looks at (the
ones in a digest, the one asked about), and phrases colour changes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.health.rules import LIGHT_ORDER, HealthRules, Light
from bot.health.scoring import AccountHealth, Signal, compute_health, compute_health_many
from bot.questions.grammar import resolve_account
from storage import queries
from storage.book import book_row
from storage.concerns import concern_counts, concern_counts_by_account
from storage.db import Transaction
from storage.erasure import ERASED_MESSAGE
from storage.errors import UserError
from storage.health import (
    alerts_raised,
    customer_message_sources,
    latest_customer_messages,
    notable_messages,
    recorded_changes,
    scored_messages,
)
from storage.records import AccountInfo
from storage.tenants import DEFAULT_TENANT, account_names_of

QUOTE_CHARS = 160


class UnknownAccount(UserError):
    """No account by that name; the message names close matches."""


@dataclass
class Evidence:
    """A message behind a signal, short enough to quote."""

    message_id: int
    account_id: int
    created_at: datetime
    score: float | None
    quote: str
    churn_risk: bool = False
    competitor: bool = False
    expansion: bool = False
    nps: float | None = None

    def to_json(self) -> dict:
        return {
            "id": self.message_id,
            "created_at": self.created_at.isoformat(),
            "score": self.score,
            "quote": self.quote,
        }


#: The weeks an account's tone history covers on every surface (its text card and its chart): 90 days.
WEEKS = 13


def quote(text: str | None, limit: int = QUOTE_CHARS) -> str:
    """One line of a message for a digest; erased messages say so."""
    if not text:
        return ERASED_MESSAGE
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def find_account(tx: Transaction, name: str, tenant: str = DEFAULT_TENANT) -> AccountInfo:
    """The tenant's account `name` means — exactly (any case and spacing), or by a word or prefix only
    one account's name has — or `UnknownAccount` naming close matches. A misspelling is never taken
    for another account silently: scripts depend on this command."""
    account = queries.find_account(tx, name, tenant)
    if account is not None:
        return account
    names = account_names_of(tx, tenant)
    if not names:
        raise UnknownAccount(
            f"no account named {name!r}: no accounts yet (import history with tonewatch import)"
        )
    match = resolve_account(name, names)
    wanted = queries.account_key(name)
    if match.name is not None and re.search(rf"\b{re.escape(wanted)}", queries.account_key(match.name)):
        found = queries.find_account(tx, match.name, tenant)
        assert found is not None  # a name of the tenant's accounts
        return found
    suggestions = match.suggestions or ((match.name,) if match.name else ())
    if suggestions:
        raise UnknownAccount(f"no account named {name!r}; did you mean {', '.join(suggestions)}?")
    raise UnknownAccount(f"no account named {name!r} (and none with a similar name)")


def evidence_messages(
    tx: Transaction, account_ids: list[int], as_of: datetime, rules: HealthRules, per_account: int = 25
) -> dict[int, list[Evidence]]:
    """The notable customer messages (negative, churn, competitor, expansion, NPS) of the recent window."""
    if not account_ids:
        return {}
    start = as_of - timedelta(days=max(rules.recent_days, 30))
    found: dict[int, list[Evidence]] = defaultdict(list)
    for row in notable_messages(tx, account_ids, start, as_of, rules.warning_score):
        items = found[row.account_id]
        if len(items) < per_account:
            items.append(
                Evidence(
                    message_id=row.id,
                    account_id=row.account_id,
                    created_at=row.created_at,
                    score=row.score,
                    quote=quote(row.text),
                    churn_risk=bool(row.churn_risk),
                    competitor=bool(row.competitor_mentioned),
                    expansion=bool(row.expansion),
                    nps=row.source_score if row.source_kind == "nps" else None,
                )
            )
    return dict(found)


def attach_evidence(health: AccountHealth, evidence: list[Evidence], rules: HealthRules) -> None:
    """Fill each signal's message ids with the messages that raised it (newest first)."""
    recent_start = health.as_of - timedelta(days=rules.recent_days)
    recent = [e for e in evidence if e.created_at > recent_start]
    most_negative = sorted(
        (e for e in recent if e.score is not None and e.score <= rules.warning_score),
        key=lambda e: e.score or 0.0,
    )
    picks = {
        "critical_messages": [e for e in recent if e.score is not None and e.score <= rules.critical_score],
        "churn_risk": [e for e in recent if e.churn_risk],
        "competitor": [e for e in recent if e.competitor],
        "negative_share": most_negative,
        "below_baseline": most_negative,
        "declining": most_negative,
        "persistently_negative": [
            e for e in evidence if e.score is not None and e.score <= rules.warning_score
        ],
        "nps_detractor": [e for e in evidence if e.nps is not None and e.nps <= rules.detractor_max],
        "nps_promoter": [e for e in evidence if e.nps is not None and e.nps >= rules.promoter_min],
    }
    for signal in health.signals:
        signal.message_ids = [e.message_id for e in picks.get(signal.code, [])[:3]]


def top_concerns(
    tx: Transaction, start: datetime, end: datetime, rules: HealthRules, account_ids: list[int] | None = None
) -> dict[int, list[tuple[str, int]]]:
    """Per account, the concerns its negative messages raised in (start, end], most frequent first."""
    per_account: dict[int, Counter] = defaultdict(Counter)
    for account_id, concern, count in concern_counts_by_account(
        tx, start, end, rules.concern_max_score, account_ids
    ):
        per_account[account_id][concern] = count
    return {a: sorted(c.items(), key=lambda item: (-item[1], item[0])) for a, c in per_account.items()}


def portfolio_concerns(
    tx: Transaction, start: datetime, end: datetime, rules: HealthRules, account_ids: list[int] | None = None
) -> Counter:
    """How often each concern was raised by negative messages between `start` and `end`."""
    return Counter(concern_counts(tx, start, end, rules.concern_max_score, account_ids))


def week_span(weekly: list[float | None], end: datetime) -> tuple[int, str] | None:
    """The weeks with data: the index of the first, and "Oct 19 – Nov 22 (5 weeks)" (None: no data).

    The account's text card and its chart both say this span.
    """
    used = [i for i, value in enumerate(weekly) if value is not None]
    if not used:
        return None
    first, last = used[0], len(weekly) - 1
    start = end - timedelta(weeks=len(weekly) - first)
    finish = end - timedelta(days=1)
    count = last - first + 1
    label = f"{start:%b} {start.day} – {finish:%b} {finish.day} ({count} week{'s' if count != 1 else ''})"
    return first, label


def weekly_averages(
    tx: Transaction, account_ids: list[int], end: datetime, weeks: int = WEEKS
) -> dict[int, list[float | None]]:
    """Plain weekly mean score per account, oldest week first (for charts)."""
    if not account_ids:
        return {}
    start = end - timedelta(weeks=weeks)
    sums: dict[int, list[float]] = {a: [0.0] * weeks for a in account_ids}
    counts: dict[int, list[int]] = {a: [0] * weeks for a in account_ids}
    rows = scored_messages(tx, account_ids, start, end)
    for account_id, created_at, score in rows:
        index = min(weeks - 1, int((created_at - start) / timedelta(weeks=1)))
        sums[account_id][index] += score
        counts[account_id][index] += 1
    return {
        a: [round(s / n, 3) if n else None for s, n in zip(sums[a], counts[a], strict=True)]
        for a in account_ids
    }


@dataclass
class WeeklyActivity:
    """One account's weeks for a chart, oldest first: mean tone, customer messages, alerts and NPS."""

    averages: list[float | None]
    counts: list[int]
    #: (week index, severity) of each alert raised, and (week index, score) of each NPS answer.
    alerts: list[tuple[int, str]] = field(default_factory=list)
    nps: list[tuple[int, float]] = field(default_factory=list)


def weekly_activity(
    tx: Transaction, account_ids: list[int], end: datetime, weeks: int = WEEKS
) -> dict[int, WeeklyActivity]:
    """Per account: weekly mean tone, weekly customer message counts, alerts and NPS answers."""
    if not account_ids:
        return {}
    start = end - timedelta(weeks=weeks)
    averages = weekly_averages(tx, account_ids, end, weeks)

    def week(moment: datetime) -> int:
        return min(weeks - 1, int((moment - start) / timedelta(weeks=1)))

    found = {a: WeeklyActivity(averages.get(a, [None] * weeks), [0] * weeks) for a in account_ids}
    rows = customer_message_sources(tx, account_ids, start, end)
    for account_id, created_at, kind, source_score in rows:
        found[account_id].counts[week(created_at)] += 1
        if kind == "nps" and source_score is not None:
            found[account_id].nps.append((week(created_at), float(source_score)))
    alerts = alerts_raised(tx, account_ids, start, end)
    for account_id, created_at, severity in alerts:
        found[account_id].alerts.append((week(created_at), severity))
    return found


@dataclass
class ColourChange:
    """Why an account's colour moved, and what would move it back."""

    account_id: int
    account: str
    from_light: Light | None
    to_light: Light
    moved_by: list[Signal] = field(default_factory=list)
    turn_back: str = ""

    @property
    def worse(self) -> bool:
        return self.from_light is None or LIGHT_ORDER[self.to_light] > LIGHT_ORDER[self.from_light]

    def to_json(self) -> dict:
        return {
            "account": self.account,
            "from": None if self.from_light is None else str(self.from_light),
            "to": str(self.to_light),
            "moved_by": [s.to_json() for s in self.moved_by],
            "turn_back": self.turn_back,
        }


def points_words(points: int) -> str:
    """A signal's weight in words: "adds 2 risk points", "takes 1 risk point off"."""
    unit = "risk point" if abs(points) == 1 else "risk points"
    return f"adds {points} {unit}" if points >= 0 else f"takes {-points} {unit} off"


def scale_words(points: int, rules: HealthRules) -> str:
    """Where an account stands on the scale: "Risk points: 8 (yellow from 2, red from 5)"."""
    return f"Risk points: {points} (yellow from {rules.yellow_at}, red from {rules.red_at})"


def turn_back(health: AccountHealth, target: Light, rules: HealthRules) -> str:
    """What would take the account to `target`: the fewest signals to clear, or what would add up."""
    threshold = {Light.green: 0, Light.yellow: rules.yellow_at, Light.red: rules.red_at}
    if LIGHT_ORDER[target] < LIGHT_ORDER[health.light]:
        ceiling = (rules.yellow_at if target is Light.green else rules.red_at) - 1
        needed = health.points - ceiling
        chosen: list[Signal] = []
        for signal in sorted((s for s in health.signals if s.points > 0), key=lambda s: -s.points):
            if needed <= 0:
                break
            chosen.append(signal)
            needed -= signal.points
        steps = "; ".join(f"{s.clear} ({s.points} of its {health.points} risk points)" for s in chosen)
        return f"back to {target} when: {steps}"
    missing = threshold[target] - health.points
    examples = [
        f"a strongly negative message ({points_words(rules.critical_points)})",
        f"a churn mention ({points_words(rules.churn_points)})",
    ]
    return (
        f"turns {target} again with {missing} more risk point{'s' if missing != 1 else ''}, e.g. "
        + " or ".join(examples)
    )


def describe_change(before: AccountHealth | None, after: AccountHealth, rules: HealthRules) -> ColourChange:
    """The signals that appeared or grew since `before`, and what would turn the colour back."""
    if before is None:
        return signal_change(None, [], after, rules)
    return signal_change(before.light, before.signals, after, rules)


def signal_change(
    before_light: Light | None, before_signals: list[Signal], after: AccountHealth, rules: HealthRules
) -> ColourChange:
    """Like `describe_change`, from a remembered colour and signals (a stored `HealthChange`)."""
    earlier = {s.code: s for s in before_signals}
    if before_light is None or LIGHT_ORDER[after.light] > LIGHT_ORDER[before_light]:
        moved = [s for s in after.signals if s.points > (earlier[s.code].points if s.code in earlier else 0)]
    else:
        now = {s.code: s.points for s in after.signals}
        moved = [
            Signal(s.code, now.get(s.code, 0) - s.points, f"cleared: {s.text}", "", list(s.message_ids))
            for s in before_signals
            if s.points > now.get(s.code, 0)
        ]
    back = "" if before_light is None else turn_back(after, before_light, rules)
    return ColourChange(after.account_id, after.account, before_light, after.light, moved, back)


def account_report(
    tx: Transaction, name: str, as_of: datetime, rules: HealthRules, tenant: str = DEFAULT_TENANT
) -> dict:
    """Everything `tonewatch account` and "how is Acme doing?" show, as JSON-ready data (the tenant's
    account of that name)."""
    account = find_account(tx, name, tenant)
    assert account is not None and account.id is not None
    ids = [account.id]
    [health], [week_ago], [month_ago] = compute_health_many(
        tx,
        [as_of, as_of - timedelta(days=7), as_of - timedelta(days=30)],
        rules,
        account_ids=ids,
        tenant=tenant,
    )
    evidence = evidence_messages(tx, ids, as_of, rules).get(account.id, [])
    attach_evidence(health, evidence, rules)
    by_id = {e.message_id: e for e in evidence}
    concerns = top_concerns(tx, as_of - timedelta(days=30), as_of, rules, ids).get(account.id, [])
    stored = recorded_changes(tx, account.id, as_of)
    if stored:
        latest = stored[0]
        what_changed = {
            "at": latest.changed_at.isoformat(),
            "from": latest.from_light,
            "to": latest.to_light,
            "signals": latest.signals,
            "message_ids": latest.message_ids,
            "turn_back": latest.turn_back,
            "recorded": True,
        }
    elif week_ago.light != health.light:
        change = describe_change(week_ago, health, rules)
        what_changed = change.to_json() | {"at": None, "recorded": False}
    else:
        what_changed = None
    recent = latest_customer_messages(tx, account.id, as_of, 5)
    book = book_row(tx, account.id)
    return {
        "account": account.name,
        "owner": account.owner,
        # The account book (bot/accounts): owners, value, renewal, CRM ids, outreach suppression.
        "owners": [person.to_json() for person in book.owners],
        "arr": book.arr,
        "currency": book.currency,
        "tier": book.tier,
        "renewal_date": book.renewal_date.isoformat() if book.renewal_date else None,
        "days_to_renewal": (book.renewal_date - as_of.date()).days if book.renewal_date else None,
        "domains": book.domains,
        "crm": book.crm,
        "suppress_outreach": book.suppress_outreach,
        "suppression_reason": book.suppression_reason,
        "as_of": as_of.isoformat(),
        "light": str(health.light),
        "trend": str(health.trend),
        "points": health.points,
        "scale": scale_words(health.points, rules),
        "was": {"7d_ago": str(week_ago.light), "30d_ago": str(month_ago.light)},
        "average_7d": health.average_7d,
        "average_30d": health.average_30d,
        "average_90d": health.average_90d,
        "baseline": health.baseline,
        "messages": health.messages_30d,
        "negative_messages": health.negative_30d,
        "top_concerns": [{"concern": c, "count": n} for c, n in concerns[:5]],
        "open_alerts": health.open_alerts,
        "expansion": [e.to_json() for e in evidence if e.expansion],
        "promoter": health.promoter,
        "silent_days": health.silent_days,
        "why": [
            s.to_json() | {"messages": [by_id[i].to_json() for i in s.message_ids if i in by_id]}
            for s in health.signals
        ],
        "turn_back": ""
        if health.light is Light.green
        else turn_back(health, Light.yellow if health.light is Light.red else Light.green, rules),
        "what_changed": what_changed,
        "weekly_average": weekly_averages(tx, ids, as_of).get(account.id, []),
        "recent": [
            {
                "id": row.id,
                "created_at": row.created_at.isoformat(),
                "score": row.score,
                "quote": quote(row.text),
            }
            for row in recent
        ],
    }


def all_lights(
    tx: Transaction, as_of: datetime, rules: HealthRules, tenant: str = DEFAULT_TENANT
) -> dict[int, AccountHealth]:
    return {h.account_id: h for h in compute_health(tx, as_of, rules, tenant=tenant)}
