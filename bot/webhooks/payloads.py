"""The `data` of events built from stored rows (never the customer's words)."""

from __future__ import annotations

from typing import Any

from storage.db import Session
from storage.webhooks import analyzed_message_data

MESSAGE_ANALYZED = "message.analyzed"


def analyzed_event(session: Session, message_id: int) -> dict[str, Any]:
    return analyzed_message_data(session, message_id)
