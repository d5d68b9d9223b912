"""The platform-free steps behind an alert's "Not accurate" and "Use draft", for Slack and Teams.

A correction is stored against the alert's newest analysis (the training set
reads it); our reply to the customer is stored as a staff message in the
customer's thread, so the customer counts as answered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete
from sqlmodel import col, select

from bot.alerts.service import AlertCard, AlertService
from bot.analysis.contract import Emotion, Label, Urgency
from bot.messages.pipeline import MessagePipeline
from storage.db import session_scope
from storage.inbound import InboundMessage
from storage.models import Alert, Correction, CustomerMessage


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
    with session_scope(engine) as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.message_id is None:
            return False
        session.add(
            Correction(
                message_id=alert.message_id,
                analysis_id=alert.analysis_id,
                alert_id=alert_id,
                corrected_by=corrected_by[:200],
                label=label,
                urgency=urgency,
                emotions=emotions,
                note=note[:2000],
            )
        )
        return True


def thread_of(engine: Engine, card: AlertCard) -> str:
    """The thread the alert's customer message belongs to (its own id when it started one)."""
    with session_scope(engine) as session:
        found = session.exec(
            select(CustomerMessage).where(
                CustomerMessage.tenant == card.tenant,
                CustomerMessage.platform == card.source_platform,
                CustomerMessage.place_key == card.source_place,
                CustomerMessage.external_id == card.source_external_id,
            )
        ).first()
        return (found.thread_key if found is not None else None) or card.source_external_id


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
    with session_scope(engine) as session:
        session.exec(
            delete(CustomerMessage).where(
                col(CustomerMessage.platform) == card.source_platform,
                col(CustomerMessage.place_key) == card.source_place,
                col(CustomerMessage.external_id) == key,
            )
        )


def acknowledge_after_reply(alerts: AlertService, card: AlertCard) -> None:
    if card.status == "open":
        alerts.set_status(card.alert_id, "acknowledged")
