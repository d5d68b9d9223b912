"""Delivering alerts through whichever platform holds the alert channel.

Each step is a work item, so a crash or a platform outage delays an alert but
never loses it: the root post records its reference before the thread reply is
queued, and a retried item finds what was already done. A post whose answer
was lost (a timeout after the platform accepted it) is looked for before it is
made again, where the platform can tell (`Poster.find_alert`); where it
cannot, the retry may show it twice, which is the lesser harm than losing it.
The audience check runs before every post and fails closed; only a confirmed
"customers can read it" takes a channel's alert role away, never a check the
platform failed to answer (that is retried).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.alerts.service import (
    DELETED,
    DM_OWNER,
    EDITED,
    POST_ALERT,
    POST_ALERT_THREAD,
    RESOLVED_BY_EDIT,
    RETRACT_POST,
    UPDATE_ALERT,
    AlertCard,
    AlertService,
    draft_warning,
)
from bot.messages.places import PlaceRegistry
from bot.outbound.port import NotInternal, Poster
from bot.runtime.telemetry import Telemetry
from bot.runtime.worker import Worker
from storage.alert_members import quoted_messages, remaining_members
from storage.db import transaction
from storage.queries import message_by_id
from storage.queue import PENDING, RUNNING, status_of, subjects_waiting

if TYPE_CHECKING:
    from bot.runtime.telemetry import Telemetry

log = logging.getLogger(__name__)

#: Attempts at deleting a forgotten customer's post: with the backoff capped at 10 minutes, about 8 hours.
RETRACT_ATTEMPTS = 55


class AlertNotPostedYet(Exception):
    """An update for an alert whose post is still queued or in flight: retried until it is posted."""


#: What the thread says when the customer edits or deletes a message of the alert (by UPDATE_ALERT reason).
CHANGE_NOTES = {
    "edit": "The customer edited their message; the card shows it as it reads now.",
    EDITED: "The customer edited a message so that it no longer calls for this alert; the card shows "
    "the messages that still do.",
    DELETED: "The customer deleted a message; it is no longer on this alert, and the card shows the "
    "messages that are.",
    RESOLVED_BY_EDIT: "The customer edited their message and nothing in it calls for an alert any more, "
    "so this alert is resolved.",
}


def change_note(reason: str | None) -> str | None:
    """The thread line for an UPDATE_ALERT reason ("edit123", "edited", "deleted", "resolved"), if any."""
    if not reason:
        return None
    return CHANGE_NOTES.get("edit" if reason.startswith("edit") and reason != EDITED else reason)


def thread_text(card: AlertCard) -> str:
    """The thread reply under an alert: what to do, and a draft to edit before sending."""
    parts = []
    if card.recommended_response:
        parts.append(f"Recommended: {card.recommended_response}")
    if card.draft_reply:
        quoted = "\n".join(f"> {line}" for line in card.draft_reply.splitlines())
        parts.append(f"Draft reply (edit before sending):\n{quoted}")
        if warning := draft_warning(card.draft_flags):
            parts.append(warning)
    return "\n\n".join(parts) or "No draft for this one."


class AlertDelivery:
    """The work-queue handlers that post, thread and update alerts."""

    def __init__(
        self,
        alerts: AlertService,
        places: PlaceRegistry,
        posters: dict[str, Poster],
        light_of: Callable[[str, str], str | None] | None = None,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.alerts = alerts
        self.places = places
        self.posters = posters
        #: The account's light now ("green" | "yellow" | "red" | None), shown on the card.
        self.light_of = light_of
        #: Where blocking calls run (see bot/runtime/threads.py); never on the event loop itself.
        self.offload = offload
        #: Counts alerts posted, when the process has telemetry.
        self.telemetry = telemetry

    def register(self, worker: Worker) -> None:
        worker.register(POST_ALERT, self.post)
        worker.register(POST_ALERT_THREAD, self.post_thread)
        worker.register(UPDATE_ALERT, self.update)
        # Taking a forgotten customer's words back must outlast an outage, not give up after ~4 minutes.
        worker.register(RETRACT_POST, self.retract, max_attempts=RETRACT_ATTEMPTS)
        worker.register(DM_OWNER, self.dm_owner)

    def _card(self, alert_id: int) -> AlertCard | None:
        card = self.alerts.card(alert_id)
        if card is not None and self.light_of is not None:
            try:
                card.light = self.light_of(card.account, card.tenant)
            except Exception:  # noqa: BLE001 - the light is decoration; the alert must still go out
                log.warning("could not compute the light for %s", card.account, exc_info=True)
        return card

    def _superseded(self, alert_id: int, message_id: int) -> bool:
        subjects = subjects_waiting(self.alerts.engine, UPDATE_ALERT, f"{alert_id}:")
        return any(int(subject.split(":")[1]) > message_id for subject in subjects)

    def _unshown(self, alert_id: int, message_id: int) -> list[tuple[int, str]]:
        """This joined message and the alert's other joined messages no thread line has quoted yet.

        The opening message (on the card) is left out; oldest first, each clipped to 500 characters.
        """
        with transaction(self.alerts.engine) as tx:
            members = remaining_members(tx, alert_id)
            quoted = quoted_messages(tx, alert_id)
            chosen = [
                m for m in members[1:] if m.id <= message_id and (m.id == message_id or m.id not in quoted)
            ]
            if not any(m.id == message_id for m in chosen):
                joined = message_by_id(tx, message_id)
                if joined is None or joined.text is None:
                    return [(m.id, (m.text or "")[:500]) for m in chosen]
                chosen.append(joined)
            return [(m.id, (m.text or "")[:500]) for m in chosen]

    def _poster_for(self, channel: str, tenant: str) -> Poster | None:
        for platform, poster in self.posters.items():
            if self.places.get(platform, channel, tenant) is not None:
                return poster
        return None

    async def _destination(self, card: AlertCard) -> tuple[Poster, str] | None:
        # The alert's own tenant's channel: never another workspace's or Teams tenant's.
        place = await self.offload(self.places.alert_channel, card.source_platform, card.tenant)
        if place is None or place.platform not in self.posters:
            log.warning("alert %s has no alert channel to go to; it stays for the digest", card.alert_id)
            return None
        poster = self.posters[place.platform]
        # AudienceUnknown propagates: the item is retried and the channel keeps its role.
        if not await poster.is_internal(place.external_id, unknown_raises=True):
            await self.offload(self.places.mark_external, place.platform, place.external_id, True)
            raise NotInternal(f"alert channel {place.external_id} is readable by customers; not posting")
        return poster, place.external_id

    async def post(self, subject: str, attempts: int) -> None:
        alert_id = int(subject)
        _channel, ref = await self.offload(self.alerts.posted_ref, alert_id)
        if ref:
            return  # posted before a crash; the thread reply has its own work item
        card = await self.offload(self._card, alert_id)
        if card is None:
            return
        destination = await self._destination(card)
        if destination is None:
            return
        poster, channel = destination
        found = await poster.find_alert(channel, card) if attempts > 1 else None
        if found:
            log.info(
                "alert %s was posted by an attempt whose answer was lost; not posting it again", alert_id
            )
        ref = found or await poster.post_alert(channel, card)
        await self.offload(self._record_post, alert_id, poster.platform, channel, ref, card.message_id)
        if self.telemetry is not None:
            self.telemetry.alerts_posted.labels(poster.platform, card.severity).inc()
        log.info(
            "alert %s about %s posted",
            alert_id,
            card.account,
            extra={
                "alert_id": alert_id,
                "account": card.account,
                "platform": poster.platform,
                "severity": card.severity,
            },
        )

    def _record_post(
        self, alert_id: int, platform: str, channel: str, ref: str, message_id: int | None
    ) -> None:
        self.alerts.record_post(
            alert_id, channel, ref, platform=platform, message_id=message_id, then_queue=POST_ALERT_THREAD
        )

    async def post_thread(self, subject: str, attempts: int) -> None:
        alert_id = int(subject)
        channel, ref = await self.offload(self.alerts.posted_ref, alert_id)
        card = await self.offload(self._card, alert_id)
        if not channel or not ref or card is None:
            return
        poster = await self.offload(self._poster_for, channel, card.tenant)
        if poster is None or not await poster.is_internal(channel):
            raise NotInternal(f"alert channel {channel} is readable by customers; not posting the draft")
        if attempts > 1 and await poster.find_alert_thread(channel, ref, card):
            log.info("the draft of alert %s was posted by an attempt whose answer was lost", alert_id)
            return
        posted = await poster.post_alert_thread(channel, ref, card)
        if posted:
            record = self.alerts.record_thread_post
            await self.offload(record, alert_id, poster.platform, channel, ref, posted, card.message_id)

    async def update(self, subject: str, attempts: int) -> None:
        alert_id_text, message_id_text, *reason = subject.split(":")
        alert_id = int(alert_id_text)
        note = change_note(reason[0] if reason else None)
        channel, ref = await self.offload(self.alerts.posted_ref, alert_id)
        if not ref and await self.offload(status_of, self.alerts.engine, POST_ALERT, str(alert_id)) in (
            PENDING,
            RUNNING,
        ):
            # The alert's own post is still on its way: this message's line waits for it (retried),
            # or the thread would never show it.
            raise AlertNotPostedYet(f"alert {alert_id} is not posted yet; its update waits")
        if note is None and await self.offload(self._superseded, alert_id, int(message_id_text)):
            # A newer message on this alert has its own update queued or running: that one shows the
            # card as it is then, with the count so far. In a burst, one line instead of one per message.
            # (What the customer changed is always said.)
            return
        card = await self.offload(self._card, alert_id)
        if not channel or not ref or card is None:
            return
        destination = await self._destination(card)
        if destination is None:
            return
        poster, _ = destination
        # An edit or a deletion re-renders the alert and says so; a new message gets its own line,
        # quoting with it every message that joined since the last line (a burst's updates give one
        # line, and no message that joined goes unseen).
        shown = [] if reason else await self.offload(self._unshown, alert_id, int(message_id_text))
        quote = "\n\n".join(text for _, text in shown) if shown else None
        line = await poster.update_alert(channel, ref, card, quote, note=note)
        if line:
            record = self.alerts.record_thread_post
            carried: list[int | None] = [message_id for message_id, _ in shown]
            for carries in carried or [None]:
                await self.offload(record, alert_id, poster.platform, channel, ref, line, carries)

    async def dm_owner(self, subject: str, attempts: int) -> None:
        """The posted alert, by DM to an owner of its account (queued when the card was posted)."""
        alert_id_text, platform, user = subject.split(":", 2)
        alert_id = int(alert_id_text)
        poster = self.posters.get(platform)
        channel, _ref = await self.offload(self.alerts.posted_ref, alert_id)
        card = await self.offload(self._card, alert_id)
        if poster is None or card is None or not channel:
            return
        await poster.dm_alert(user, card, channel)
        log.info("alert %s sent to an owner of %s", alert_id, card.account, extra={"alert_id": alert_id})

    async def retract(self, subject: str, attempts: int) -> None:
        """Delete a forgotten customer's alert post; retried (and failed visibly) like any post."""
        platform, channel, root, ref = json.loads(subject)
        poster = self.posters.get(platform)
        if poster is None:
            raise RuntimeError(f"{platform} is not configured in this process; retried until it is")
        await poster.retract_post(channel, root, ref)
        log.info("a forgotten customer's %s post in %s was deleted", platform, channel)
