"""The platform-free steps behind an alert's buttons, for Slack and Teams.

Acknowledge and Snooze refresh the posted card (`refresh_card`); what people did
goes in the alert's thread (`thread_note`). A correction is stored against the
alert's newest analysis (the training set reads it); our reply to the customer is
stored as a staff message in the customer's thread, so the customer counts as answered.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.alerts.service import AlertCard, AlertService
from bot.analysis.contract import Emotion, Label, Urgency
from bot.messages.pipeline import MessagePipeline
from bot.outbound.port import Poster
from storage.alerts import add_correction, delete_reply
from storage.db import Engine
from storage.inbound import InboundMessage
from storage.queries import stored_thread_key


async def refresh_card(alerts: AlertService, poster: Poster, alert_id: int, by: str) -> None:
    """Show who acknowledged or snoozed the alert (and until when) in its posted card.

    `by` is the person as the platform names them on a card (a Slack user id, a Teams name)."""
    card = await asyncio.to_thread(alerts.card, alert_id)
    channel, ref = await asyncio.to_thread(alerts.posted_ref, alert_id)
    if card is None or not channel or not ref:
        return
    card.extra["status_by"] = by
    card.extra["snoozed_until"] = await asyncio.to_thread(alerts.snoozed_until, alert_id)
    await poster.refresh_alert(channel, ref, card)


async def thread_note(alerts: AlertService, poster: Poster, alert_id: int, text: str) -> None:
    """A line in the posted alert's thread, `text` already in the platform's markup.

    Its reference is kept where the platform cannot list a thread later (`Poster.lists_threads`):
    a note can quote a correction, and `forget` must be able to take it back."""
    channel, ref = await asyncio.to_thread(alerts.posted_ref, alert_id)
    if not channel or not ref:
        return
    posted = await poster.post_note(channel, ref, text)
    if not poster.lists_threads:
        await asyncio.to_thread(alerts.record_thread_post, alert_id, poster.platform, channel, ref, posted)


def store_correction(
    engine: Engine,
    alert_id: int,
    corrected_by: str,
    label: str | None,
    urgency: str | None,
    emotions: list[str],
    note: str,
) -> bool:
    """Store what the analysis should have said; False when the alert is gone. Unknown values are dropped."""
    label = label if label in set(Label) else None
    urgency = urgency if urgency in set(Urgency) else None
    emotions = [e for e in emotions if e in set(Emotion)]
    return add_correction(engine, alert_id, corrected_by, label, urgency, emotions, note)


def thread_of(engine: Engine, card: AlertCard) -> str:
    """The thread the alert's customer message belongs to (its own id when it started one)."""
    found = stored_thread_key(
        engine, card.source_platform, card.source_place, card.source_external_id, card.tenant
    )
    return found or card.source_external_id


def record_reply(
    pipeline: MessagePipeline, card: AlertCard, key: str, text: str, author: str, thread: str, now: datetime
) -> bool:
    """Store our reply to the customer as a staff message in the customer's thread.

    `key` is its external id: the platform's id once sent, or the confirming action's id when it is
    recorded before sending (Teams). False when that key was stored before (a redelivery).
    """
    stored = pipeline.store(
        InboundMessage(
            platform=card.source_platform,
            external_id=key,
            text=text,
            created_at=now,
            account=card.account,
            place_key=card.source_place,
            author=author,
            is_customer=False,
            thread_key=thread,
            tenant=card.tenant,
        )
    )
    return stored.created


def release_reply(engine: Engine, card: AlertCard, key: str) -> None:
    """The send failed: forget the recorded reply, so the customer is not counted as answered."""
    delete_reply(engine, card.source_platform, card.source_place, key)


def acknowledge_after_reply(alerts: AlertService, card: AlertCard) -> None:
    if card.status == "open":
        alerts.set_status(card.alert_id, "acknowledged")
