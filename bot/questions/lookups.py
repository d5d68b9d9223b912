"""The grammar's answers, built from stored history with the health and digest code (platform-free).

Each function reads one question's facts in the transaction it is given and
returns an `Answer`; `bot.questions.service.answer` picks the function for a question.
Time is an input (`now`), so an answer is the same whenever it is computed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot.alerts.replies import unanswered_messages
from bot.health.report import (
    account_report,
    attach_evidence,
    evidence_messages,
    points_words,
    quote,
    weekly_averages,
)
from bot.health.rules import LIGHT_ORDER, Light
from bot.health.scoring import compute_health
from bot.questions.answer import Answer, AnswerItem, AnswerOptions, message_refs, short_day, signed
from bot.questions.chart import WEEKS, AccountChart, account_chart_path
from bot.questions.grammar import GRAMMAR_LINES, HELP_TITLE, Intent, resolve_account
from storage.db import Transaction
from storage.queries import find_account
from storage.questions import (
    messages_by_id,
    negative_concerns,
    negative_messages,
    negative_messages_of,
    open_alerts_of,
)
from storage.tenants import DEFAULT_TENANT, account_names_of


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _more(total: int, shown: int) -> str | None:
    return f"…and {total - shown} more." if total > shown else None


def _period(days: int) -> str:
    return "this week" if days == 7 else "the last day" if days == 1 else f"the last {days} days"


def _window(days: int) -> str:
    return "this week" if days == 7 else f"in {_period(days)}"


def help_answer(understood: bool = True) -> Answer:
    lines = [] if understood else ["I didn't understand that. I can answer these (tolerant of phrasing):"]
    return Answer(Intent.help, HELP_TITLE, lines=lines + [f"• {line}" for line in GRAMMAR_LINES])


def unknown_account(written: str, suggestions: tuple[str, ...], names: list[str]) -> Answer:
    if suggestions:
        hint = f"Did you mean {', '.join(suggestions)}?"
    elif names:
        hint = f"Accounts I know: {', '.join(names[:12])}" + (" …" if len(names) > 12 else "") + "."
    else:
        hint = "No accounts yet: watch a customer channel or import history (tonewatch import)."
    return Answer(
        Intent.account_status, f"I don't know an account called \u201c{written}\u201d.", lines=[hint]
    )


# --- account_status -----------------------------------------------------------------------------


def account_card(
    tx: Transaction, written: str, now: datetime, options: AnswerOptions, tenant: str = DEFAULT_TENANT
) -> Answer:
    """The account card: light and trend, averages, concerns, why, open alerts, recent negatives, chart."""
    names = account_names_of(tx, tenant)
    match = resolve_account(written, names)
    if match.name is None:
        return unknown_account(written, match.suggestions, names)
    rules = options.rules
    report = account_report(tx, match.name, now, rules, tenant)
    account = find_account(tx, match.name, tenant)
    assert account is not None and account.id is not None
    was = report["was"]
    history = []
    if was["7d_ago"] != report["light"]:
        history.append(f"was {was['7d_ago']} last week")
    if was["30d_ago"] != report["light"]:
        history.append(f"{was['30d_ago']} a month ago")
    title = f"{report['account']} — {report['light']}, {report['trend']}" + (
        f" ({', '.join(history)})" if history else ""
    )
    lines = [
        f"30-day average {signed(report['average_30d'])} (7-day {signed(report['average_7d'])}, "
        f"90-day {signed(report['average_90d'])}; usual tone {signed(report['baseline'])}) · "
        f"{report['messages']} customer messages in 30 days, {report['negative_messages']} negative · "
        f"{_plural(report['open_alerts'], 'open alert')}"
    ]
    if report["top_concerns"]:
        lines.append(
            "Top concerns: "
            + ", ".join(
                f"{c['concern'].replace('_', ' ')} ({c['count']})" for c in report["top_concerns"][:4]
            )
        )
    if report["why"]:
        lines.append(report["scale"])
    for reason in report["why"][:3]:
        lines.append(f"Why: {reason['text']} ({points_words(reason['points'])})")
    changed = report.get("what_changed")
    if changed:
        moved = [s for s in changed.get("signals", changed.get("moved_by", [])) if s.get("moved", True)]
        lines.append(
            f"What changed: {changed.get('from') or 'new'} → {changed['to']}: "
            + ("; ".join(s["text"] for s in moved[:3]) or "several small signals")
        )
    if report["turn_back"]:
        lines.append(report["turn_back"][0].upper() + report["turn_back"][1:])
    if report["expansion"]:
        lines.append("Opportunity: " + " · ".join(f'"{e["quote"]}"' for e in report["expansion"][:2]))
    if report.get("promoter") is not None:
        lines.append(f"Promoter: NPS {report['promoter']:g}")
    if report.get("silent_days"):
        lines.append(f"Silent for {report['silent_days']} days")
    items = _open_alert_items(tx, account.id, now)
    quoted_ids = {item.ref.message_id for item in items if item.ref is not None}
    items += [
        item
        for item in _recent_negative_items(tx, account.id, now, options, limit=3 + len(quoted_ids))
        if item.ref is None or item.ref.message_id not in quoted_ids
    ][:3]
    chart = None
    if options.chart_dir is not None:
        weekly = weekly_averages(tx, [account.id], now, weeks=WEEKS).get(account.id, [])
        if any(value is not None for value in weekly):
            chart = AccountChart(
                account_chart_path(options.chart_dir, account.name, now),
                account.name,
                weekly,
                now,
                report["light"],
                report["baseline"],
            )
    return Answer(
        Intent.account_status,
        title,
        lines=lines,
        items=items,
        pending_chart=chart,
        account=report["account"],
        light=report["light"],
    )


def _open_alert_items(tx: Transaction, account_id: int, now: datetime, limit: int = 3) -> list[AnswerItem]:
    """The account's open alerts, newest first, each quoting its newest message."""
    rows = open_alerts_of(tx, account_id, now, limit)
    ids = [row.message_id for row in rows if row.message_id]
    refs = message_refs(tx, ids)
    messages = messages_by_id(tx, ids)
    items = []
    for row in rows:
        count = f" · {row.message_count} messages" if row.message_count > 1 else ""
        status = "" if row.status == "open" else f" · {row.status}"
        message = messages.get(row.message_id)
        items.append(
            AnswerItem(
                text=f"Open alert · {row.severity}{count}{status}",
                detail=f"since {short_day(row.created_at)}",
                quote=quote(message.text) if message else None,
                ref=refs.get(row.message_id),
                at=message.created_at if message else None,
                score=message.score if message else None,
            )
        )
    return items


def _recent_negative_items(
    tx: Transaction, account_id: int, now: datetime, options: AnswerOptions, limit: int
) -> list[AnswerItem]:
    rows = negative_messages_of(
        tx, account_id, now - timedelta(days=30), now, options.rules.warning_score, limit
    )
    refs = message_refs(tx, [row.id for row in rows])
    return [
        AnswerItem(
            "Recent negative message",
            quote=quote(row.text),
            ref=refs.get(row.id),
            at=row.created_at,
            score=row.score,
        )
        for row in rows
    ]


# --- negative_this_week -------------------------------------------------------------------------


def negative_recently(
    tx: Transaction, days: int, now: datetime, options: AnswerOptions, tenant: str = DEFAULT_TENANT
) -> Answer:
    """The tenant's accounts with negative customer messages in the window: the most such messages first."""
    rows = negative_messages(tx, tenant, now - timedelta(days=days), now, options.rules.warning_score)
    if not rows:
        return Answer(Intent.negative_this_week, f"Nobody was negative {_window(days)}.")
    by_account: dict[str, list] = defaultdict(list)
    for row in rows:
        by_account[row.name].append(row)  # most negative first (the query's order)
    ranked = sorted(
        by_account.items(), key=lambda item: (-len(item[1]), item[1][0].score, item[0].casefold())
    )
    shown = ranked[: options.list_limit]
    refs = message_refs(tx, [messages[0].id for _, messages in shown])
    items = [
        AnswerItem(
            text=f"{name} — {_plural(len(messages), 'negative message')}",
            detail=f"the worst {signed(messages[0].score)}",
            quote=quote(messages[0].text),
            ref=refs.get(messages[0].id),
            at=messages[0].created_at,
            score=messages[0].score,
        )
        for name, messages in shown
    ]
    title = f"Negative {_window(days)}: {_plural(len(ranked), 'account')}, {_plural(len(rows), 'message')}"
    return Answer(Intent.negative_this_week, title, items=items, note=_more(len(ranked), len(shown)))


# --- accounts_by_light --------------------------------------------------------------------------


def _counts_line(counts: dict[Light, int]) -> str:
    return " · ".join(f"{counts.get(light, 0)} {light}" for light in (Light.green, Light.yellow, Light.red))


def accounts_by_light(
    tx: Transaction, light: Light | None, now: datetime, options: AnswerOptions, tenant: str = DEFAULT_TENANT
) -> Answer:
    """The tenant's accounts of one colour (or every one needing attention), worst first, with why."""
    rules = options.rules
    healths = compute_health(tx, now, rules, tenant=tenant)
    counts = {lt: sum(1 for h in healths if h.light is lt) for lt in Light}
    chosen = [h for h in healths if (h.light is light if light is not None else h.needs_attention)]
    chosen.sort(key=lambda h: (-LIGHT_ORDER[h.light], -h.points, h.account.casefold()))
    shown = chosen[: options.list_limit]
    evidence = evidence_messages(tx, [h.account_id for h in shown], now, rules)
    quotes = {e.message_id: e for found in evidence.values() for e in found}
    items = []
    for health in shown:
        attach_evidence(health, evidence.get(health.account_id, []), rules)
        signals = sorted((s for s in health.signals if s.points > 0), key=lambda s: -s.points)
        alerts = f" · {_plural(health.open_alerts, 'open alert')}" if health.open_alerts else ""
        detail = "; ".join(s.text for s in signals[:2]) or f"30-day average {signed(health.average_30d)}"
        picked = next((quotes[i] for s in signals for i in s.message_ids if i in quotes), None)
        items.append(
            AnswerItem(
                text=f"{health.account} — {health.light}, {health.trend}{alerts}",
                detail=detail,
                quote=picked.quote if picked else None,
                at=picked.created_at if picked else None,
                score=picked.score if picked else None,
                ref=None
                if picked is None
                else message_refs(tx, [picked.message_id]).get(picked.message_id),
            )
        )
    if light is None:
        title = f"Portfolio: {_counts_line(counts)}"
        lines = [] if chosen else ["Every account is green."]
        silent = [h.account for h in healths if h.silent_days is not None]
        if silent:
            lines.append("Gone silent: " + ", ".join(sorted(silent)))
    elif chosen:
        title = f"{str(light).title()} accounts: {len(chosen)} of {len(healths)}"
        lines = []
    else:
        title = f"No {light} accounts right now."
        lines = [f"Portfolio: {_counts_line(counts)}"]
    return Answer(
        Intent.accounts_by_light, title, lines=lines, items=items, note=_more(len(chosen), len(shown))
    )


# --- top_frustrations ---------------------------------------------------------------------------


def top_frustrations(
    tx: Transaction,
    days: int,
    written_account: str | None,
    now: datetime,
    options: AnswerOptions,
    tenant: str = DEFAULT_TENANT,
) -> Answer:
    """The concerns of negative messages in the window, most frequent first, each with its worst example."""
    account_name = None
    if written_account:
        names = account_names_of(tx, tenant)
        match = resolve_account(written_account, names)
        if match.name is None:
            return unknown_account(written_account, match.suggestions, names)
        account_name = match.name
    rows = negative_concerns(
        tx, tenant, now - timedelta(days=days), now, options.rules.concern_max_score, account_name
    )
    who = account_name or "customers"
    window = _period(days)
    if not rows:
        return Answer(Intent.top_frustrations, f"No concerns in negative messages from {who} in {window}.")
    by_concern: dict[str, list] = defaultdict(list)
    for row in rows:
        by_concern[row.concern].append(row)
    ranked = sorted(by_concern.items(), key=lambda item: (-len(item[1]), item[0] == "other", item[0]))
    shown = ranked[: options.list_limit]
    # Each concern's example: its most negative message not already shown for another concern.
    examples: dict[str, Any] = {}
    for concern, found in shown:
        used = {row.message_id for row in examples.values()}
        examples[concern] = next((row for row in found if row.message_id not in used), found[0])
    worst_ids = [row.message_id for row in examples.values()]
    refs = message_refs(tx, worst_ids)
    texts = {row.id: (row.text, row.created_at) for row in messages_by_id(tx, worst_ids).values()}
    items = []
    for concern, found in shown:
        accounts = list(dict.fromkeys(row.name for row in found))
        example = examples[concern]
        text, created = texts.get(example.message_id, (None, None))
        items.append(
            AnswerItem(
                text=f"{concern.replace('_', ' ')} — {_plural(len(found), 'negative message')}"
                + ("" if account_name else f" from {_plural(len(accounts), 'account')}"),
                detail="" if account_name else ", ".join(accounts[:4]) + (" …" if len(accounts) > 4 else ""),
                quote=quote(text),
                ref=refs.get(example.message_id),
                at=created,
                score=example.score,
            )
        )
    title = f"What {who} {'is' if account_name else 'are'} frustrated about ({window})"
    return Answer(Intent.top_frustrations, title, items=items, note=_more(len(ranked), len(shown)))


# --- unanswered ---------------------------------------------------------------------------------


def _age(hours: float) -> str:
    return f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.0f} h"


def unanswered(
    tx: Transaction, days: int, now: datetime, options: AnswerOptions, tenant: str = DEFAULT_TENANT
) -> Answer:
    """Negative customer messages of the window that nobody on our side has answered yet, oldest first."""
    waiting = unanswered_messages(
        tx,
        as_of=now,
        created_after=now - timedelta(days=days),
        created_before=now,
        max_score=options.rules.warning_score,
        sla_hours=options.sla_hours,
        quoted=options.list_limit,
        tenant=tenant,
    )
    window = _period(days)
    if not waiting:
        return Answer(Intent.unanswered, f"Every negative message from {window} has a reply.")
    shown = waiting[: options.list_limit]
    refs = message_refs(tx, [w.message_id for w in shown])
    items = [
        AnswerItem(
            text=f"{w.account} — waiting {_age(w.hours_waiting(now))}",
            detail="past the reply SLA"
            if now > w.due_at
            else f"reply due {short_day(w.due_at)} {w.due_at:%H:%M}",
            quote=w.quote,
            ref=refs.get(w.message_id),
            at=w.created_at,
            score=w.score,
        )
        for w in shown
    ]
    verb = "waits" if len(waiting) == 1 else "wait"
    title = f"{_plural(len(waiting), 'negative message')} from {window} still {verb} for a reply"
    return Answer(Intent.unanswered, title, items=items, note=_more(len(waiting), len(shown)))
