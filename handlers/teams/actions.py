"""The alert card's buttons: Acknowledge, Snooze (1 h / 1 day), Not accurate, Use draft.

Teams delivers an `Action.Submit` press as a message activity whose `value`
holds the button's data and the form's inputs. State changes are made in the
core (`AlertService.set_status`, a stored `Correction`); the card refresh and
the thread notes go out in the background. "Send to customer" (the Use-draft
form's button) is the one path that posts where the customer reads: the reply
is recorded first, keyed by the press, so a redelivered press sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.alerts.actions import (
    acknowledge_after_reply,
    record_reply,
    refresh_card,
    release_reply,
    store_correction,
    thread_note,
    thread_of,
)
from bot.alerts.service import AlertCard
from handlers.teams.activity import Turn
from handlers.teams.cards import ACK, CORRECT, RECOVERED, SEND_DRAFT, SNOOZE, SNOOZES, md
from handlers.teams.deps import PLATFORM, TeamsDeps
from handlers.teams.poster import send_customer_reply
from storage.queries import alert_tenant_of
from storage.types import utcnow

log = logging.getLogger(__name__)


def _alert_id(value: dict) -> int | None:
    try:
        return int(value.get("alert"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class TeamsActions:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def on_submit(self, turn: Turn) -> None:
        """A button press from our own people (the caller checked) on an alert card."""
        value = turn.value or {}
        action, alert_id = value.get("tonewatch"), _alert_id(value)
        if alert_id is None or action not in (ACK, SNOOZE, CORRECT, SEND_DRAFT, RECOVERED):
            return
        if await asyncio.to_thread(self._tenant_of, alert_id) != self.deps.tenant(turn):
            log.warning("card action on an alert of another tenant ignored (%s)", turn.conversation_id)
            return
        who = turn.author.name or "someone"
        if action == ACK:
            await asyncio.to_thread(self.deps.alerts.set_status, alert_id, "acknowledged")
            self.deps.background.spawn(self.refresh_card(alert_id, who), "refresh an alert card")
        elif action == SNOOZE and value.get("for") in SNOOZES:
            until = utcnow() + timedelta(seconds=SNOOZES[value["for"]][1])
            await asyncio.to_thread(self.deps.alerts.set_status, alert_id, "snoozed", until)
            self.deps.background.spawn(self.refresh_card(alert_id, who), "refresh an alert card")
        elif action == CORRECT:
            await self._correct(turn, alert_id, value)
        elif action == SEND_DRAFT:
            await self._send_draft(turn, alert_id, str(value.get("draft") or "").strip())
        elif action == RECOVERED and self.deps.suppression is not None:
            by = f"{who} (teams:{turn.author.id})"
            recovered = self.deps.suppression.recovered_by_alert
            result = await asyncio.to_thread(recovered, alert_id, by, self.deps.tenant(turn))
            if result is not None:
                row, changed = result
                text = (
                    f"Recovery recorded by {who}: outreach to {row.name} is no longer suppressed."
                    if changed
                    else f"{who} recorded the recovery; {row.name} was not suppressed."
                )
                self.deps.background.spawn(self.note(alert_id, text), "note a recovery")

    async def refresh_card(self, alert_id: int, who: str) -> None:
        """Show who acknowledged or snoozed it, in the alert card itself."""
        await refresh_card(self.deps.alerts, self.deps.poster, alert_id, who)

    def _tenant_of(self, alert_id: int) -> str | None:
        return alert_tenant_of(self.deps.engine, alert_id)

    async def note(self, alert_id: int, text: str) -> None:
        await thread_note(self.deps.alerts, self.deps.poster, alert_id, md(text))

    # --- Not accurate ---------------------------------------------------------------------------

    async def _correct(self, turn: Turn, alert_id: int, value: dict) -> None:
        label = value.get("label") or None
        urgency = value.get("urgency") or None
        emotions = [e for e in str(value.get("emotions") or "").split(",") if e]
        saved = await asyncio.to_thread(
            store_correction,
            self.deps.engine,
            alert_id,
            f"teams:{turn.author.aad_object_id or turn.author.id}",
            label,
            urgency,
            emotions,
            str(value.get("note") or ""),
        )
        if saved:
            who = turn.author.name or "Someone"
            text = f"{who} marked this not accurate: {label or '?'}, urgency {urgency or '?'}."
            self.deps.background.spawn(self.note(alert_id, text), "note a correction")

    # --- Use draft ------------------------------------------------------------------------------

    async def _send_draft(self, turn: Turn, alert_id: int, text: str) -> None:
        card = await asyncio.to_thread(self.deps.alerts.card, alert_id)
        if card is None or card.source_platform != PLATFORM:
            return
        if not text:
            self.deps.background.spawn(self.note(alert_id, "Nothing was sent: the reply was empty."), "note")
            return
        thread = await asyncio.to_thread(thread_of, self.deps.engine, card)
        key = f"reply:{turn.activity_id}"
        author = turn.author.name or turn.author.id
        claimed = await asyncio.to_thread(
            record_reply, self.deps.pipeline, card, key, text, author, thread, utcnow()
        )
        if not claimed:
            log.info("Use draft %s pressed again (redelivery); not sending twice", turn.activity_id)
            return
        try:
            await send_customer_reply(self.deps.connector, card.source_place, thread, text)
        except Exception as exc:  # noqa: BLE001 - said in the alert thread; the press can be retried
            await asyncio.to_thread(release_reply, self.deps.engine, card, key)
            log.warning("reply to %s not sent: %s", card.source_place, exc, exc_info=True)
            problem = f"Teams did not take the reply ({type(exc).__name__}); nothing was sent. Try again."
            self.deps.background.spawn(self.note(alert_id, problem), "note a failed reply")
            return
        await asyncio.to_thread(acknowledge_after_reply, self.deps.alerts, card)
        self.deps.background.spawn(self._replied(card, author), "note a reply")

    async def _replied(self, card: AlertCard, author: str) -> None:
        await self.note(card.alert_id, f"{author} sent a reply to the customer.")
        await self.refresh_card(card.alert_id, author)
