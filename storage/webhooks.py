"""Outbound webhook events: stored with the change they report, read back by their delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.db import Tx, orm
from storage.models import Account, Analysis, CustomerMessage, WebhookEvent


def add_event(tx: Tx, event_id: str, kind: str, occurred_at: datetime, body: str) -> int:
    """Store an event's exact body; returns its row id (the deliveries' subject)."""
    session = orm(tx)
    row = WebhookEvent(event_id=event_id, type=kind, occurred_at=occurred_at, body=body)
    session.add(row)
    session.flush()
    return row.id or 0


def event_body(tx: Tx, row_id: int) -> tuple[str, str] | None:
    """(event id, body) of a stored event, or None when it is gone."""
    session = orm(tx)
    row = session.get(WebhookEvent, row_id)
    return (row.event_id, row.body) if row is not None else None


def analyzed_message_data(tx: Tx, message_id: int) -> dict[str, Any]:
    """What a `message.analyzed` event says of a stored message: its figures, never its words."""
    session = orm(tx)
    message = session.get(CustomerMessage, message_id)
    if message is None:
        return {"message_id": message_id}
    analysis = session.get(Analysis, message.latest_analysis_id) if message.latest_analysis_id else None
    account = session.get(Account, message.account_id) if message.account_id else None
    data: dict[str, Any] = {
        "message_id": message.id,
        "account": account.name if account else None,
        "account_id": message.account_id,
        "platform": message.platform,
        "source": message.source_kind,
        "created_at": message.created_at.isoformat(),
    }
    if analysis is not None:
        data |= {
            "score": analysis.score,
            "label": analysis.label,
            "urgency": analysis.urgency,
            "concerns": list(analysis.concerns),
            "emotions": list(analysis.emotions),
            "churn_risk": analysis.churn_risk,
            "expansion": analysis.expansion,
            "competitor_mentioned": analysis.competitor_mentioned,
            "recommended_action": analysis.recommended_action,
            "abstained": analysis.abstained,
        }
    return data
