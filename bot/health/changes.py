"""Remembering colour changes: each one keeps the signals and messages that moved it and what turns it back.

`record_colour_changes` compares every account's light now with the last
recorded one and stores a change for each difference (an account
first seen yellow or red is recorded too; first seen green is not news).
One row per account and local day: a second change the same day updates it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.accounts.suppression import flag_worsened
from bot.health.report import attach_evidence, evidence_messages, signal_change
from bot.health.rules import HealthRules, Light
from bot.health.scoring import Signal, compute_health_everywhere
from bot.webhooks import NO_EVENTS, WebhookEvents
from storage.db import Transaction
from storage.health import latest_changes, save_changes
from storage.records import HealthChangeInfo


def _signal_from_json(data: dict) -> Signal:
    return Signal(
        data.get("code", ""),
        int(data.get("points", 0)),
        data.get("text", ""),
        data.get("clear", ""),
        list(data.get("message_ids", [])),
    )


def record_colour_changes(
    tx: Transaction, now: datetime, rules: HealthRules, day_key: str, events: WebhookEvents = NO_EVENTS
) -> list[HealthChangeInfo]:
    """Store the colour changes since the last recorded state; returns the changes written.

    In the same transaction, each change is emitted as `account.light_changed` and an account that
    turned red or worse is flagged `suppress_outreach` (bot/accounts/suppression.py)."""
    healths = compute_health_everywhere(tx, now, rules)
    last = latest_changes(tx)
    changed = [
        h
        for h in healths
        if (h.account_id in last and last[h.account_id].to_light != str(h.light))
        or (h.account_id not in last and h.light is not Light.green)
    ]
    if not changed:
        return []
    evidence = evidence_messages(tx, [h.account_id for h in changed], now, rules)
    names = {h.account_id: h.account for h in changed}
    written: list[HealthChangeInfo] = []
    dropped: list[HealthChangeInfo] = []
    befores: list[str | None] = []
    for health in changed:
        attach_evidence(health, evidence.get(health.account_id, []), rules)
        previous = last.get(health.account_id)
        same_day = previous is not None and previous.day_key == day_key
        if same_day and previous is not None and previous.from_light == str(health.light):
            dropped.append(previous)  # changed and changed back the same day: no change
            continue
        before_light = Light(previous.to_light) if previous is not None else None
        before_signals = (
            [_signal_from_json(s) for s in previous.signals if not s.get("cleared")] if previous else []
        )
        change = signal_change(before_light, before_signals, health, rules)
        moved_codes = {s.code for s in change.moved_by}
        signals = [s.to_json() | {"moved": s.code in moved_codes} for s in health.signals]
        signals += [s.to_json() | {"moved": True, "cleared": True} for s in change.moved_by if s.points < 0]
        message_ids = list(dict.fromkeys(i for s in change.moved_by for i in s.message_ids))
        before = None if before_light is None else str(before_light)
        recorded = HealthChangeInfo(
            id=None,
            account_id=health.account_id,
            day_key=day_key,
            from_light=before,
            changed_at=now,
            to_light=str(health.light),
            trend=str(health.trend),
            points=health.points,
            signals=signals,
            message_ids=message_ids,
            turn_back=change.turn_back,
        )
        if same_day and previous is not None:
            # The day's change, updated: it keeps the day's original from_light.
            recorded = replace(recorded, id=previous.id, from_light=previous.from_light)
        written.append(recorded)
        befores.append(before)
    written = save_changes(tx, written, dropped)
    moved = list(zip(written, befores, strict=True))
    for recorded, before in moved:
        events.emit(
            tx,
            "account.light_changed",
            {
                "account": names.get(recorded.account_id),
                "account_id": recorded.account_id,
                "from": before,
                "to": recorded.to_light,
                "trend": recorded.trend,
                "points": recorded.points,
            },
            occurred_at=now,
        )
    flag_worsened(tx, moved, events)
    return written
