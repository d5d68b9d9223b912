"""Everything Tonewatch posts in Teams goes through here, behind the audience check.

`TeamsPoster` is the outbound port (`bot.outbound.port.Poster`) for Teams:
alert cards and their threads, digests, attention lists and notices, plus the
guarded primitives the rest of the surface answers with. Each post opens one
proactive turn on the conversation's stored reference, lists its members, and
posts only if every member is of our tenant and none is a guest (any doubt or
error: no post). A digest or notice goes to a channel, or to a CSM's 1:1 chat
with Tonewatch. The single exception is `send_customer_reply`, the reply a
person confirmed in the "Use draft" form.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from microsoft_agents.activity import Activity, Attachment

from bot.alerts.service import AlertCard
from bot.digest.build import Digest
from bot.digest.render import render_digest_text
from bot.messages.places import PlaceRegistry
from bot.outbound.port import AlertNotice, AudienceUnknown, Destination, NotInternal, Poster, PostReceipt
from handlers.teams.activity import UNNAMED_CHANNEL
from handlers.teams.cards import (
    ADAPTIVE,
    alert_card,
    fallback_text,
    joined_text,
    lines_card,
    notice_card,
    text_block,
    thread_card,
)
from handlers.teams.cards import card as adaptive_card
from handlers.teams.connector import TeamsCalls, TeamsConnector, message, personal_reference, thread_id
from handlers.teams.people import is_external
from storage.teams_conversations import ConversationInfo
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)

PLATFORM = "teams"
T = TypeVar("T")


def card_activity(content: dict[str, Any], summary: str | None = None, text: str | None = None) -> Activity:
    activity = message(text=text, attachments=[Attachment(content_type=ADAPTIVE, content=content)])
    if summary:
        activity.summary = summary
    return activity


def note_activity(text: str) -> Activity:
    return card_activity(adaptive_card([text_block(text)]), summary=text[:200])


def image_attachment(png: bytes, name: str) -> Attachment:
    """An inline image (Teams shows base64 PNGs up to 1 MB)."""
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return Attachment(content_type="image/png", content_url=url, name=name)


class TeamsPoster(Poster):
    platform = PLATFORM
    #: The Bot Connector cannot list a thread's replies.
    lists_threads = False

    def __init__(self, connector: TeamsConnector, places: PlaceRegistry, home_tenant: str | None) -> None:
        self.connector = connector
        self.places = places
        self.home_tenant = home_tenant

    async def offload(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Blocking calls run where the connector's do (the worker's threads under `tonewatch run`)."""
        return await self.connector.offload(fn, *args)

    # --- the audience check -----------------------------------------------------------------

    async def readable_only_by_us(self, calls: TeamsCalls, conversation_id: str) -> bool:
        """Every member is of our tenant and none is a guest; an empty or unreadable roster is a no."""
        members = await calls.members(conversation_id)
        home = self.home_tenant or calls.tenant_id
        return bool(members) and not any(is_external(person, home) for person in members)

    async def is_internal(self, channel: str, *, unknown_raises: bool = False) -> bool:
        try:
            return await self.connector.run(channel, lambda calls: self.readable_only_by_us(calls, channel))
        except Exception as exc:  # noqa: BLE001 - no answer means no post
            if unknown_raises:
                raise AudienceUnknown(f"Teams did not say who can read {channel}: {exc}") from exc
            log.warning("could not check who reads Teams conversation %s: %s", channel, exc)
            return False

    async def _guarded(self, calls: TeamsCalls, conversation_id: str) -> None:
        if not await self.readable_only_by_us(calls, conversation_id):
            await self.offload(self.places.mark_external, PLATFORM, conversation_id, True)
            raise NotInternal(f"Teams conversation {conversation_id} is readable by customers; not posting")

    # --- guarded primitives -----------------------------------------------------------------

    async def post(self, conversation_id: str, activity: Activity, root: str | None = None) -> str:
        """Post in an internal channel or chat: a new post (channel: a new thread) or a reply under `root`."""

        async def work(calls: TeamsCalls) -> str:
            await self._guarded(calls, conversation_id)
            if root and calls.kind == "channel":
                return await calls.reply(conversation_id, root, activity)
            if calls.kind == "channel":
                return await calls.new_thread(conversation_id, activity)
            return await calls.send(conversation_id, activity)

        return await self.connector.run(conversation_id, work)

    async def update(self, conversation_id: str, activity_id: str, activity: Activity) -> None:
        async def work(calls: TeamsCalls) -> None:
            await self._guarded(calls, conversation_id)
            where = conversation_id
            if calls.kind == "channel":
                where = f"{conversation_id};messageid={activity_id}"
            await calls.update(where, activity_id, activity)

        await self.connector.run(conversation_id, work)

    # --- alert cards and their threads -------------------------------------------------------

    def where(self, alert: AlertCard) -> str:
        """Where the customer wrote, as people know it."""
        if alert.source_platform == PLATFORM and alert.source_place:
            place = self.places.get(PLATFORM, alert.source_place, alert.tenant)
            if place is not None and place.name and place.name != UNNAMED_CHANNEL:
                return place.name
            # Teams did not name the channel: say whose it is.
            return f"{alert.account}'s Teams channel" if alert.account else UNNAMED_CHANNEL
        return alert.source_kind if alert.source_platform in ("", "import") else alert.source_platform

    def alert_activity(self, alert: AlertCard) -> Activity:
        return card_activity(alert_card(alert, self.where(alert)), summary=fallback_text(alert))

    async def post_alert(self, channel: str, card: AlertCard) -> str:
        activity = await self.offload(self.alert_activity, card)
        return await self.post(channel, activity)

    async def refresh_alert(self, channel: str, ref: str, card: AlertCard) -> None:
        """Show the alert's current state (severity, count, newest quote, status) in its card."""
        activity = await self.offload(self.alert_activity, card)
        await self.update(channel, ref, activity)

    async def update_alert(
        self, channel: str, ref: str, card: AlertCard, joined_quote: str | None, note: str | None = None
    ) -> str | None:
        await self.refresh_alert(channel, ref, card)
        if note is not None:
            return await self.post(channel, note_activity(note), root=ref)
        if joined_quote is None:
            return None
        return await self.post(channel, note_activity(joined_text(card, joined_quote)), root=ref)

    async def dm_alert(self, user: str, card: AlertCard, near_channel: str) -> str:
        """The alert card in the owner's 1:1 chat with Tonewatch, opened through the alert channel."""
        chat = await self.personal_chat(user, near_channel)
        activity = await self.offload(self.alert_activity, card)
        return await self.post(chat, activity)

    async def personal_chat(self, user_id: str, via: str) -> str:
        """The 1:1 chat with `user_id`, opened through conversation `via` when there is none yet."""
        conversations = self.connector.conversations
        known = await self.offload(conversations.personal_chat, user_id)
        if known is not None and known.installed:
            return known.conversation_id
        channel = await self.connector.info(via)

        async def open_chat(calls: TeamsCalls) -> str:
            return await calls.open_personal_chat(user_id)

        chat_id = await self.connector.run(via, open_chat)
        info = ConversationInfo(
            conversation_id=chat_id,
            kind="personal",
            tenant_id=channel.tenant_id,
            team_id=None,
            name="1:1 chat",
            user_id=user_id,
            service_url=channel.service_url,
            reference=personal_reference(channel.reference, chat_id, user_id, channel.tenant_id),
            installed=True,
        )
        await self.offload(conversations.remember, info)
        return chat_id

    async def post_alert_thread(self, channel: str, ref: str, card: AlertCard) -> str:
        activity = card_activity(thread_card(card), summary="Recommended response")
        return await self.post(channel, activity, root=ref)

    async def retract_post(self, channel: str, root: str, ref: str) -> None:
        """Deleting needs no audience check. The Bot Connector cannot list a thread's replies: each
        post whose reference was kept (`alert_posts`) has its own retraction."""

        async def work(calls: TeamsCalls) -> None:
            await calls.delete(thread_id(channel, root) if calls.kind == "channel" else channel, ref)

        await self.connector.run(channel, work)

    async def post_note(self, channel: str, ref: str, text: str) -> str:
        """A line in an alert's thread (who acknowledged, corrected or replied); returns its id."""
        return await self.post(channel, note_activity(text), root=ref)

    # --- digests, attention lists and notices ------------------------------------------------

    async def _conversation(self, target: Destination | None, tenant: str = DEFAULT_TENANT) -> str:
        if target is None:
            place = await self.offload(self.places.alert_channel, PLATFORM, tenant)
            if place is None or place.platform != PLATFORM:
                raise NotInternal("no Teams alert channel yet (`@Tonewatch alerts` sets one)")
            return place.external_id
        if target.kind == "owner_dm":
            chat = await self.offload(self.connector.conversations.personal_chat, target.address)
            if chat is None:
                raise NotInternal(f"no 1:1 chat with {target.address}: they need to message Tonewatch once")
            return chat.conversation_id
        return target.address

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        lines = render_digest_text(digest).splitlines()
        body = [line for line in lines[2:] if not line.startswith("[chart:")]
        content = lines_card(lines[0], body, subtitle=lines[1] if len(lines) > 1 else None)
        attachments = [Attachment(content_type=ADAPTIVE, content=content)]
        if digest.chart and Path(digest.chart).is_file():
            png = await self.offload(Path(digest.chart).read_bytes)
            attachments.append(image_attachment(png, Path(digest.chart).name))
        activity = message(attachments=attachments)
        activity.summary = lines[1][:200] if len(lines) > 1 else lines[0]
        ref = await self.post(await self._conversation(target), activity)
        return PostReceipt(self.platform, ref)

    async def post_notice(self, notice: AlertNotice, target: Destination | None = None) -> PostReceipt:
        activity = card_activity(notice_card(notice), summary=notice.title[:200])
        ref = await self.post(await self._conversation(target, notice.tenant), activity)
        return PostReceipt(self.platform, ref)


async def send_customer_reply(
    connector: TeamsConnector, conversation_id: str, root: str | None, text: str
) -> str:
    """THE customer-facing post: a reply a person wrote or approved and confirmed in the "Use draft" form.

    Called only from that form's submit. No audience check on purpose: the
    customer's conversation is external by definition.
    """

    async def work(calls: TeamsCalls) -> str:
        if root and calls.kind == "channel":
            return await calls.reply(conversation_id, root, message(text=text))
        return await calls.send(conversation_id, message(text=text))

    return await connector.run(conversation_id, work)
