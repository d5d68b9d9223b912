"""Outbound webhook events: stored with the change they report, read back by their delivery."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import WebhookEvent


def add_event(session: Session, event_id: str, kind: str, occurred_at: datetime, body: str) -> int:
    """Store an event's exact body; returns its row id (the deliveries' subject)."""
    row = WebhookEvent(event_id=event_id, type=kind, occurred_at=occurred_at, body=body)
    session.add(row)
    session.flush()
    return row.id or 0


def event_body(session: Session, row_id: int) -> tuple[str, str] | None:
    """(event id, body) of a stored event, or None when it is gone."""
    row = session.get(WebhookEvent, row_id)
    return (row.event_id, row.body) if row is not None else None
