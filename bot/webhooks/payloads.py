"""Webhook event names; storage/webhooks.py builds each event's `data` from stored rows (never the
customer's words)."""

from __future__ import annotations

MESSAGE_ANALYZED = "message.analyzed"
