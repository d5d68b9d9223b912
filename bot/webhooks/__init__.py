"""Signed outbound webhooks: events recorded with the change they report, delivered by the work queue."""

from bot.webhooks.events import DELIVER_WEBHOOK, NO_EVENTS, WebhookEvents, sign

__all__ = ["DELIVER_WEBHOOK", "NO_EVENTS", "WebhookEvents", "sign"]
