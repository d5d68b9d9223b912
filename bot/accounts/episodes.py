"""What an account's strongly negative messages amount to: open problems, settled ones, incident complaints.

The traffic light (`bot.health.scoring`) counts aggregates; this module reads the conversations behind
the rare accounts that have strongly negative messages in the recent window, so that

- follow-ups in one conversation are one problem ("still no reply about the double charge" is
  the same problem as the first message about it), counted once;
- a problem is **settled** when one of our people answered it in its conversation and every
  customer message since is above the warning score: it stops counting as open. Settled
  problems of two or more strongly negative messages leave the account *recovering* (yellow
  until they leave the window), and the tone since then can show the recovery as a trend;
- a complaint that is part of a cross-account incident (`bot.health.incidents`) is counted in the
  incident, not against the account (our outage is not the customer's relationship going bad);
- a single churn hint in a message that is not strongly negative is a question to ask, weighed
  less than churn risk repeated or said in anger;
- an open alert whose message is settled, or counted by an incident, is bookkeeping left to do
  (acknowledge or resolve it), not a risk of the account's own; one whose message is already an
  open problem is that problem, counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.health.incidents import IncidentRules, detect_incidents
from bot.health.rules import HealthRules
from storage.db import Transaction
from storage.queries import conversation_rows, message_scores, open_alert_messages
from storage.tenants import DEFAULT_TENANT


@dataclass
class Episode:
    """Strongly negative customer messages in one conversation."""

    conversation: str
    message_ids: list[int]
    last_at: datetime
    settled: bool


@dataclass
class AccountContext:
    """What the conversations say, for one account at one moment."""

    episodes: list[Episode] = field(default_factory=list)
    #: Mean score and count of the customer's messages after the last settled problem.
    after_mean: float | None = None
    after_count: int = 0
    #: Churn-flagged messages in the recent window, and whether any was strongly negative.
    churn_messages: int = 0
    churn_strong: bool = False
    #: Messages left out of the account's tone because a cross-account incident counts them.
    incident_message_ids: list[int] = field(default_factory=list)
    #: Open alerts (of which critical) whose message is settled in its conversation, counted by an
    #: incident, or already counted as an open problem: they add no points of their own.
    handled_alerts: int = 0
    handled_critical_alerts: int = 0

    @property
    def open_episodes(self) -> list[Episode]:
        return [e for e in self.episodes if not e.settled]

    @property
    def settled_episodes(self) -> list[Episode]:
        return [e for e in self.episodes if e.settled]


def incident_messages(
    tx: Transaction,
    moment: datetime,
    rules: HealthRules,
    incident_rules: IncidentRules | None = None,
    tenant: str = DEFAULT_TENANT,
) -> list:
    """Rows (id, account_id, is_customer, created_at, score) of the messages in incidents before `moment`.

    Incidents are looked for over the recent window (what the light reads; an older incident's
    complaints weigh little in the earlier and baseline means, and the digest reports it anyway).
    """
    start = moment - timedelta(days=rules.recent_days)
    found = detect_incidents(
        tx, start, moment + timedelta(microseconds=1), incident_rules, tenant=tenant
    )
    ids = [m for incident in found for m in incident.message_ids]
    return [row for row in message_scores(tx, ids) if row.created_at <= moment]


def account_contexts(
    tx: Transaction,
    moment: datetime,
    rules: HealthRules,
    account_ids: list[int],
    excluded: dict[int, set[int]],
    rows: list | None = None,
) -> dict[int, AccountContext]:
    """The context of each account in `account_ids` at `moment`.

    `excluded` holds each account's messages counted by a cross-account incident; `rows`, the
    conversations already read (`storage.queries.conversation_rows`) over a span covering the
    recent window before `moment` (they are read here otherwise).
    """
    since = moment - timedelta(days=rules.recent_days)
    if rows is None:
        rows = conversation_rows(tx, account_ids, since, moment)
    wanted = set(account_ids)
    by_account: dict[int, list] = {}
    for row in rows:
        if since < row.created_at <= moment and row.account_id in wanted:
            by_account.setdefault(row.account_id, []).append(row)
    alerts: dict[int, list] = {}
    for row in open_alert_messages(tx, account_ids, moment):
        alerts.setdefault(row.account_id, []).append(row)
    contexts = {}
    for account_id in account_ids:
        rows_of = by_account.get(account_id, [])
        left_out = excluded.get(account_id, set())
        context = _context(rows_of, rules, left_out)
        in_open_problems = {m for episode in context.open_episodes for m in episode.message_ids}
        for alert in alerts.get(account_id, []):
            # Counted already (its message is an open problem, or an incident's), or settled.
            if (
                alert.message_id in left_out
                or alert.message_id in in_open_problems
                or _settled(rows_of, alert.message_id, rules)
            ):
                context.handled_alerts += 1
                context.handled_critical_alerts += alert.severity in CRITICAL_SEVERITIES
        contexts[account_id] = context
    return contexts


#: Alert severities that count double as open alerts (as in bot.health.scoring).
CRITICAL_SEVERITIES = ("critical", "high", "red")


def _settled(rows: list, message_id: int | None, rules: HealthRules) -> bool:
    """Whether our people replied after this message in its conversation and the customer is calm since."""
    message = next((r for r in rows if r.id == message_id), None)
    if message is None:
        return False
    conversation = _conversation(message)
    answered = any(
        not r.is_customer
        and r.created_at > message.created_at
        and (_conversation(r) == conversation if message.thread_key else r.place_key == message.place_key)
        for r in rows
    )
    since = [r for r in rows if r.is_customer and r.score is not None and r.created_at > message.created_at]
    return answered and bool(since) and all(r.score > rules.warning_score for r in since)


def _conversation(row) -> str:
    return row.thread_key or f"message:{row.id}"


def _context(rows: list, rules: HealthRules, excluded: set[int]) -> AccountContext:
    context = AccountContext(incident_message_ids=sorted(excluded))
    customer = [r for r in rows if r.is_customer and r.score is not None and r.id not in excluded]
    grouped: dict[str, list] = {}
    for row in customer:
        if row.churn_risk:
            context.churn_messages += 1
            context.churn_strong |= row.score <= rules.critical_score
        if row.score <= rules.critical_score:
            grouped.setdefault(_conversation(row), []).append(row)
    for conversation, members in grouped.items():
        last = members[-1]
        answered = any(
            not r.is_customer
            and r.created_at > last.created_at
            and (_conversation(r) == conversation if last.thread_key else r.place_key == last.place_key)
            for r in rows
        )
        since = [r for r in customer if r.created_at > last.created_at]
        calm = bool(since) and all(r.score > rules.warning_score for r in since)
        context.episodes.append(
            Episode(conversation, [m.id for m in members], last.created_at, settled=answered and calm)
        )
    settled = context.settled_episodes
    if settled:
        last_settled = max(e.last_at for e in settled)
        after = [r.score for r in customer if r.created_at > last_settled]
        context.after_count = len(after)
        context.after_mean = sum(after) / len(after) if after else None
    return context
