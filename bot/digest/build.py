"""The Monday digest and the daily attention list, built from stored history (platform-free).

A digest covers the seven local days before the local midnight that starts
its day (a Monday 09:00 digest covers Monday–Sunday of the week before), and
is computed as of that midnight, so a digest caught up at 14:00 says exactly
what the 09:00 one would have said. Posters render the `Digest` object;
`bot.digest.render` has the plain-text and JSON forms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.accounts.value import ValueAtRisk, days_to, renews_soon, value_points
from bot.alerts.replies import WaitingMessage, unanswered_messages
from bot.digest.chart import AccountSeries, render_digest_chart
from bot.health.incidents import Incident, IncidentRules, detect_incidents
from bot.health.report import (
    ColourChange,
    Evidence,
    attach_evidence,
    describe_change,
    evidence_messages,
    portfolio_concerns,
    quote,
    top_concerns,
    turn_back,
    weekly_activity,
)
from bot.health.rules import LIGHT_ORDER, HealthRules, Light
from bot.health.scoring import AccountHealth, compute_health_many
from bot.outbound.port import AlertNotice
from storage.book import BookRow, book_rows
from storage.db import Transaction, reads_beside_a_transaction, transaction
from storage.digests import alert_review_counts, opportunity_messages
from storage.tenants import DEFAULT_TENANT, account_ids_of

log = logging.getLogger(__name__)

#: An optional writer of the digest's opening paragraph (Claude); None or an error means the template.
Narrator = Callable[["Digest"], Awaitable[str | None]]

CALM_LINE = "A calm week: no account changed colour and nothing waits for a reply."
EMPTY_LINE = (
    "No customer messages yet — import history with `tonewatch import` "
    "or invite Tonewatch to a customer channel."
)


@dataclass(frozen=True)
class DigestPeriod:
    """Seven local days [start, end), stored as UTC instants, in the target's time zone."""

    start: datetime
    end: datetime
    zone: str

    @property
    def key(self) -> str:
        return f"week:{self.first_day.isoformat()}"

    @property
    def first_day(self) -> date:
        return self.start.astimezone(ZoneInfo(self.zone)).date()

    @property
    def last_day(self) -> date:
        return (self.end.astimezone(ZoneInfo(self.zone)) - timedelta(days=1)).date()

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        tail = f"{last.day}" if first.month == last.month else f"{last:%b} {last.day}"
        return f"week of {first:%b} {first.day}–{tail}"

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.zone,
        }


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts (correct on daylight-saving days, which are 23 or 25 hours long)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def week_before(day: date, zone: str) -> DigestPeriod:
    """The seven local days before `day` (the digest sent on `day`)."""
    tz = ZoneInfo(zone)
    return DigestPeriod(local_midnight(day - timedelta(days=7), tz), local_midnight(day, tz), zone)


def period_for(moment: datetime, zone: str) -> DigestPeriod:
    return week_before(moment.astimezone(ZoneInfo(zone)).date(), zone)


@dataclass
class DigestOptions:
    rules: HealthRules = field(default_factory=HealthRules)
    incident_rules: IncidentRules = field(default_factory=IncidentRules)
    sla_hours: float = 24.0
    #: Where the chart PNG goes; None skips the chart.
    chart_dir: Path | None = None
    #: How many accounts / messages each section lists before "and N more".
    list_limit: int = 8


@dataclass
class AttentionAccount:
    account_id: int
    account: str
    owner: str | None
    light: Light
    was: Light
    trend: str
    points: int
    reasons: list[str]
    top_concerns: list[tuple[str, int]]
    quote: Evidence | None
    turn_back: str
    #: From the account book: what the account is worth and when it renews (bot/accounts/value.py).
    arr: float | None = None
    currency: str | None = None
    renewal_date: date | None = None
    days_to_renewal: int | None = None
    value_points: int = 0

    def to_json(self) -> dict:
        return {
            "account": self.account,
            "owner": self.owner,
            "light": str(self.light),
            "was": str(self.was),
            "trend": self.trend,
            "points": self.points,
            "arr": self.arr,
            "currency": self.currency,
            "renewal_date": self.renewal_date.isoformat() if self.renewal_date else None,
            "days_to_renewal": self.days_to_renewal,
            "value_points": self.value_points,
            "reasons": list(self.reasons),
            "top_concerns": [{"concern": c, "count": n} for c, n in self.top_concerns],
            "quote": self.quote.to_json() if self.quote else None,
            "turn_back": self.turn_back,
        }


@dataclass
class Opportunity:
    account: str
    kind: str  # "expansion" | "promoter"
    text: str
    message_id: int
    created_at: datetime

    def to_json(self) -> dict:
        return {
            "account": self.account,
            "kind": self.kind,
            "text": self.text,
            "message_id": self.message_id,
            "created_at": self.created_at.isoformat(),
        }


@dataclass
class SilentAccount:
    account: str
    days: int
    last_message_at: datetime

    def to_json(self) -> dict:
        return {
            "account": self.account,
            "days": self.days,
            "last_message_at": self.last_message_at.isoformat(),
        }


@dataclass
class ConcernCount:
    concern: str
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous

    def to_json(self) -> dict:
        return {
            "concern": self.concern,
            "count": self.count,
            "previous": self.previous,
            "change": self.change,
        }


#: Alert statuses a person set on the card (Acknowledge, Use draft, Snooze): a review that found it fair.
REVIEWED_STATUSES = ("acknowledged", "snoozed")


@dataclass
class AlertPrecision:
    """Last week's alerts: posted to a channel, or kept as warnings for the attention list, and reviewed.

    Precision is over the reviewed alerts only (an alert nobody looked at is not evidence either
    way): a review is a person acknowledging, snoozing or using the draft of an alert, or marking
    it not accurate.
    """

    posted: int
    held: int
    reviewed: int
    inaccurate: int

    @property
    def alerts(self) -> int:
        return self.posted + self.held

    @property
    def precision(self) -> float | None:
        return round((self.reviewed - self.inaccurate) / self.reviewed, 3) if self.reviewed else None

    def to_json(self) -> dict:
        return {
            "alerts": self.alerts,
            "posted": self.posted,
            "held": self.held,
            "reviewed": self.reviewed,
            "inaccurate": self.inaccurate,
            "precision": self.precision,
        }

    def describe(self) -> str:
        """The digest's line: "Alerts last week: 9 posted, 2 warnings kept for the attention list · ..."."""
        parts = [f"{self.posted} posted"]
        if self.held:
            parts.append(f"{self.held} warning{'s' if self.held != 1 else ''} kept for the attention list")
        line = f"Alerts last week: {', '.join(parts)}"
        if not self.reviewed:
            return f"{line} · none reviewed yet, so no precision"
        return (
            f"{line} · {self.reviewed} reviewed, {self.inaccurate} of them marked not accurate "
            f"(precision {self.precision:.2f} over the reviewed)"
        )


@dataclass
class Digest:
    target_key: str
    owner: str | None
    period: DigestPeriod
    accounts: int
    counts: dict[str, int]
    previous_counts: dict[str, int]
    changes: list[ColourChange]
    attention: list[AttentionAccount]
    attention_total: int
    silent: list[SilentAccount]
    silent_total: int
    unanswered: list[WaitingMessage]
    unanswered_total: int
    opportunities: list[Opportunity]
    top_concerns: list[ConcernCount]
    incidents: list[Incident]
    precision: AlertPrecision
    chart: str | None = None
    narrative: str | None = None
    #: The annual value of the accounts needing attention (None when the book has no values for them).
    value_at_risk: ValueAtRisk | None = None

    @property
    def as_of(self) -> datetime:
        return self.period.end

    @property
    def empty(self) -> bool:
        return self.accounts == 0 or not any(self.counts.values())

    @property
    def calm(self) -> bool:
        return not (self.changes or self.attention_total or self.unanswered_total or self.incidents)

    @property
    def headline(self) -> str:
        """The opening line: Claude's narrative when there is one, else the template."""
        return self.narrative or self.template_headline

    @property
    def template_headline(self) -> str:
        if self.empty:
            return EMPTY_LINE
        if self.calm:
            return CALM_LINE
        parts = []
        for light in (Light.red, Light.yellow):
            turned = sum(1 for c in self.changes if c.to_light is light and c.worse)
            if turned:
                parts.append(f"{turned} account{'s' if turned > 1 else ''} turned {light}")
        better = sum(1 for c in self.changes if not c.worse)
        if better:
            parts.append(f"{better} improved")
        if self.incidents:
            concerns = ", ".join(dict.fromkeys(i.concern.replace("_", " ") for i in self.incidents))
            parts.append(
                f"{len(self.incidents)} systemic incident{'s' if len(self.incidents) > 1 else ''} "
                f"({concerns})"
            )
        if self.unanswered_total:
            parts.append(
                f"{self.unanswered_total} negative message{'s' if self.unanswered_total > 1 else ''} "
                f"past the reply SLA"
            )
        if not parts:
            parts.append(
                f"{self.attention_total} account{'s' if self.attention_total > 1 else ''} "
                f"still need attention; no colour changed"
            )
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    def to_json(self) -> dict:
        zone = ZoneInfo(self.period.zone)
        return {
            "target": self.target_key,
            "owner": self.owner,
            "period": self.period.to_json(),
            "as_of": self.as_of.isoformat(),
            "headline": self.headline,
            "narrative": self.narrative,
            "calm": self.calm,
            "accounts": self.accounts,
            "counts": dict(self.counts),
            "previous_counts": dict(self.previous_counts),
            "movement": {k: self.counts.get(k, 0) - self.previous_counts.get(k, 0) for k in self.counts},
            "changes": [c.to_json() for c in self.changes],
            "attention": [a.to_json() for a in self.attention],
            "attention_total": self.attention_total,
            "silent": [s.to_json() for s in self.silent],
            "silent_total": self.silent_total,
            "unanswered": [u.to_json(self.as_of) for u in self.unanswered],
            "unanswered_total": self.unanswered_total,
            "opportunities": [o.to_json() for o in self.opportunities],
            "top_concerns": [c.to_json() for c in self.top_concerns],
            "incidents": [i.to_json(zone) for i in self.incidents],
            "alert_precision": self.precision.to_json(),
            "value_at_risk": self.value_at_risk.to_json() if self.value_at_risk else None,
            "chart": self.chart,
        }


def _counts(healths: list[AccountHealth]) -> dict[str, int]:
    counts = {str(light): 0 for light in Light}
    for health in healths:
        counts[str(health.light)] += 1
    return counts


def _book_of(tx: Transaction, now: dict[int, AccountHealth]) -> dict[int, BookRow]:
    """The account book's entries of the accounts needing attention."""
    ids = [h.account_id for h in now.values() if h.needs_attention]
    return {row.id: row for row in book_rows(tx, ids, tenant=None)} if ids else {}


def value_at_risk(
    now: dict[int, AccountHealth], book: dict[int, BookRow], rules: HealthRules
) -> ValueAtRisk | None:
    """ "$240k ARR at risk, 2 renewals within 90 days": the accounts needing attention."""
    rows = [book[h.account_id] for h in now.values() if h.needs_attention and h.account_id in book]
    valued = [row for row in rows if row.arr is not None]
    if not valued:
        return None
    today = next(iter(now.values())).as_of.date()
    currencies = {row.currency or "USD" for row in valued}
    return ValueAtRisk(
        arr=sum(row.arr or 0 for row in valued),
        currency=currencies.pop() if len(currencies) == 1 else None,
        accounts=len(valued),
        renewals=sum(1 for row in rows if renews_soon(row.renewal_date, today, rules.value)),
        renewal_days=rules.value.renewal_days,
    )


def _attention(
    tx: Transaction,
    now: dict[int, AccountHealth],
    before: dict[int, AccountHealth],
    options: DigestOptions,
    book: dict[int, BookRow] | None = None,
) -> list[AttentionAccount]:
    """The accounts needing attention, most urgent first: health points plus value points (annual
    value, a renewal soon; bot/accounts/value.py), then colour, then name."""
    rules = options.rules
    book = book if book is not None else _book_of(tx, now)
    needing = [h for h in now.values() if h.needs_attention]
    today = needing[0].as_of.date() if needing else None

    def weight(h: AccountHealth) -> int:
        row = book.get(h.account_id)
        if row is None or today is None:
            return 0
        return value_points(row.arr, row.renewal_date, today, rules.value)

    ranked = sorted(
        needing,
        key=lambda h: (-(h.points + weight(h)), -LIGHT_ORDER[h.light], h.account.casefold()),
    )[: options.list_limit]
    ids = [h.account_id for h in ranked]
    if not ids:
        return []
    as_of = ranked[0].as_of
    evidence = evidence_messages(tx, ids, as_of, rules)
    concerns = top_concerns(tx, as_of - timedelta(days=rules.recent_days), as_of, rules, ids)
    items = []
    for health in ranked:
        mine = evidence.get(health.account_id, [])
        attach_evidence(health, mine, rules)
        recent = [e for e in mine if e.created_at > as_of - timedelta(days=rules.recent_days)]
        churn = [e for e in recent if e.churn_risk]
        negative = sorted((e for e in recent if e.score is not None), key=lambda e: e.score or 0.0)
        chosen = churn[0] if churn else (negative[0] if negative else None)
        previous = before.get(health.account_id)
        items.append(
            AttentionAccount(
                account_id=health.account_id,
                account=health.account,
                owner=health.owner,
                light=health.light,
                was=previous.light if previous else Light.green,
                trend=str(health.trend),
                points=health.points,
                reasons=[s.text for s in sorted(health.signals, key=lambda s: -s.points) if s.points > 0][:3],
                top_concerns=concerns.get(health.account_id, [])[:3],
                quote=chosen,
                turn_back=turn_back(
                    health, Light.yellow if health.light is Light.red else Light.green, rules
                ),
            )
        )
        row = book.get(health.account_id)
        if row is not None:
            item = items[-1]
            item.arr, item.currency, item.renewal_date = row.arr, row.currency, row.renewal_date
            item.days_to_renewal = days_to(row.renewal_date, as_of.date())
            item.value_points = weight(health)
    return items


def _opportunities(
    tx: Transaction, period: DigestPeriod, rules: HealthRules, account_ids: list[int] | None, limit: int
) -> list[Opportunity]:
    # Newest first; enough of them that one of each kind per account still fills the list.
    rows = opportunity_messages(
        tx, period.start, period.end, rules.promoter_min, account_ids, limit=limit * 20
    )
    found: dict[tuple[str, str], Opportunity] = {}
    for row in rows:
        kind = "expansion" if row.expansion else "promoter"
        if (row.name, kind) in found:
            continue  # one of each kind per account: the newest
        text = quote(row.text, 120) if row.expansion else f"promoter (NPS {row.source_score:g})"
        found[(row.name, kind)] = Opportunity(row.name, kind, text, row.id, row.created_at)
        if len(found) >= limit:
            break
    return list(found.values())


def alert_precision(
    tx: Transaction, start: datetime, end: datetime, account_ids: list[int] | None
) -> AlertPrecision:
    """Alerts raised in the period: posted or kept for the attention list, reviewed, marked not accurate.

    An alert counts as not accurate when a correction names it, or corrects its message to a
    neutral or positive label; as reviewed when it is not accurate or a person acknowledged,
    snoozed or used its draft.
    """
    return AlertPrecision(*alert_review_counts(tx, start, end, account_ids, REVIEWED_STATUSES))


@dataclass
class _Facts:
    """The parts of a digest that do not depend on the lights (computed alongside them)."""

    waiting: list[WaitingMessage]
    concerns: list[ConcernCount]
    opportunities: list[Opportunity]
    incidents: list[Incident]
    precision: AlertPrecision


def _facts(
    tx: Transaction,
    period: DigestPeriod,
    options: DigestOptions,
    account_ids: list[int] | None,
    tenant: str = DEFAULT_TENANT,
) -> _Facts:
    rules, as_of = options.rules, period.end
    waiting = unanswered_messages(
        tx,
        as_of=as_of,
        created_after=as_of - timedelta(days=rules.recent_days),
        created_before=as_of - timedelta(hours=options.sla_hours),
        max_score=rules.warning_score,
        sla_hours=options.sla_hours,
        account_ids=account_ids,
        quoted=options.list_limit,
        tenant=tenant,
    )
    this_week = portfolio_concerns(tx, period.start, period.end, rules, account_ids)
    last_week = portfolio_concerns(
        tx, period.start - timedelta(days=7), period.start, rules, account_ids
    )
    concerns = [
        ConcernCount(concern, count, last_week.get(concern, 0))
        for concern, count in sorted(this_week.items(), key=lambda item: (-item[1], item[0]))[:5]
    ]
    return _Facts(
        waiting=waiting,
        concerns=concerns,
        opportunities=_opportunities(tx, period, rules, account_ids, options.list_limit),
        incidents=detect_incidents(
            tx, period.start, period.end, options.incident_rules, account_ids, tenant=tenant
        ),
        precision=alert_precision(tx, period.start, period.end, account_ids),
    )


def _facts_in_own_transaction(
    engine, period: DigestPeriod, options: DigestOptions, account_ids: list[int] | None, tenant: str
) -> _Facts:
    with transaction(engine) as tx:
        return _facts(tx, period, options, account_ids, tenant)


def build_digest(
    tx: Transaction,
    period: DigestPeriod,
    options: DigestOptions,
    owner: str | None = None,
    target_key: str = "preview",
    tenant: str = DEFAULT_TENANT,
) -> Digest:
    """The digest for `period` (as of its end), for every account of the tenant or only `owner`'s.

    The lights (one scan for this week and last) and the other facts (replies, concerns,
    incidents, opportunities, precision) are independent: on PostgreSQL the facts are read on
    a second connection meanwhile; on SQLite they are read while the chart is drawn.
    """
    rules = options.rules
    as_of = period.end
    account_ids = account_ids_of(tx, tenant, owner)
    moments = [as_of, as_of - timedelta(days=7)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest") as pool:
        facts_pending = None
        if reads_beside_a_transaction(tx.engine):
            facts_pending = pool.submit(
                _facts_in_own_transaction, tx.engine, period, options, account_ids, tenant
            )
        now_list, before_list = compute_health_many(
            tx, moments, rules, account_ids=account_ids, tenant=tenant
        )
        now = {h.account_id: h for h in now_list}
        before = {h.account_id: h for h in before_list}
        book = _book_of(tx, now)
        attention = _attention(tx, now, before, options, book)
        at_risk = value_at_risk(now, book, rules) if now else None
        counts, previous_counts = _counts(now_list), _counts(before_list)
        chart_pending = None
        if options.chart_dir is not None and now_list and any(counts.values()):
            activity = weekly_activity(tx, [a.account_id for a in attention[:6]], as_of)
            series = {
                a.account: AccountSeries(
                    found.averages, found.counts, str(a.light), found.alerts, found.nps
                )
                for a in attention[:6]
                if (found := activity.get(a.account_id)) is not None
            }
            chart_pending = pool.submit(
                render_digest_chart,
                _chart_path(options.chart_dir, target_key, period),
                series,
                as_of,
                counts,
                previous_counts,
                f"Customer sentiment · {period.label}",
            )
        facts = (
            facts_pending.result() if facts_pending else _facts(tx, period, options, account_ids, tenant)
        )
        chart = str(chart_pending.result()) if chart_pending else None
    changes = [
        describe_change(before.get(a), h, rules)
        for a, h in now.items()
        if a in before and before[a].light != h.light
    ]
    changes.sort(key=lambda c: (not c.worse, -LIGHT_ORDER[c.to_light], c.account.casefold()))
    silent_all = sorted((h for h in now_list if h.silent_days is not None), key=lambda h: h.silent_days or 0)
    return Digest(
        target_key=target_key,
        owner=owner,
        period=period,
        accounts=len(now_list),
        counts=counts,
        previous_counts=previous_counts,
        changes=changes,
        attention=attention,
        attention_total=sum(1 for h in now_list if h.needs_attention),
        silent=[
            # An account is silent only once it has a last message (bot/health/scoring.py sets both).
            SilentAccount(h.account, h.silent_days or 0, h.last_message_at)  # type: ignore[arg-type]
            for h in silent_all[: options.list_limit]
        ],
        silent_total=len(silent_all),
        unanswered=facts.waiting[: options.list_limit],
        unanswered_total=len(facts.waiting),
        opportunities=facts.opportunities,
        top_concerns=facts.concerns,
        incidents=facts.incidents,
        precision=facts.precision,
        chart=chart,
        value_at_risk=at_risk,
    )


def _chart_path(folder: Path, target_key: str, period: DigestPeriod) -> Path:
    safe_target = re.sub(r"[^A-Za-z0-9_.-]+", "-", target_key).strip("-") or "digest"
    return folder / f"digest-{safe_target}-{period.first_day.isoformat()}.png"


async def add_narrative(digest: Digest, narrator: Narrator | None) -> Digest:
    """Ask the narrator for the opening paragraph; any failure keeps the template."""
    if narrator is None or digest.empty:
        return digest
    try:
        text = await narrator(digest)
    except Exception:  # noqa: BLE001 - the template is always a good answer
        log.warning("digest narrative failed; using the template", exc_info=True)
        return digest
    if text and text.strip():
        digest.narrative = text.strip()
    return digest


@dataclass
class AttentionList:
    """The daily list: moderately negative messages still inside their reply window."""

    target_key: str
    owner: str | None
    day: date
    zone: str
    as_of: datetime
    items: list[WaitingMessage]
    total: int

    @property
    def key(self) -> str:
        return f"day:{self.day.isoformat()}"

    def to_notice(self) -> AlertNotice:
        if not self.items:
            lines = ["Nothing waits for a reply: no moderately negative message is open."]
        else:
            zone = ZoneInfo(self.zone)
            lines = [
                f'{item.account}: "{item.quote}" ({item.score:+.2f}) — reply due '
                f"{item.due_at.astimezone(zone):%a %H:%M}"
                for item in self.items
            ]
            if self.total > len(self.items):
                lines.append(f"and {self.total - len(self.items)} more")
        return AlertNotice(
            kind="attention_list",
            key=f"{self.target_key}:{self.key}",
            title=f"Needs a reply today · {self.day:%a %b} {self.day.day} · {self.total} message"
            f"{'s' if self.total != 1 else ''}",
            lines=lines,
            owner=self.owner,
            message_ids=[item.message_id for item in self.items],
            data={"items": [item.to_json(self.as_of) for item in self.items], "total": self.total},
        )


def build_attention_list(
    tx: Transaction,
    as_of: datetime,
    zone: str,
    options: DigestOptions,
    owner: str | None = None,
    target_key: str = "preview",
    limit: int = 15,
    tenant: str = DEFAULT_TENANT,
) -> AttentionList:
    """The tenant's unanswered, moderately negative messages (between warning and critical) still within
    their SLA."""
    rules = options.rules
    account_ids = account_ids_of(tx, tenant, owner)
    waiting = unanswered_messages(
        tx,
        as_of=as_of,
        created_after=as_of - timedelta(hours=options.sla_hours),
        created_before=as_of,
        max_score=rules.warning_score,
        above_score=rules.critical_score,
        sla_hours=options.sla_hours,
        account_ids=account_ids,
        tenant=tenant,
    )
    waiting.sort(key=lambda w: w.due_at)
    return AttentionList(
        target_key=target_key,
        owner=owner,
        day=as_of.astimezone(ZoneInfo(zone)).date(),
        zone=zone,
        as_of=as_of,
        items=waiting[:limit],
        total=len(waiting),
    )
