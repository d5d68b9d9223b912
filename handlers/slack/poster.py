"""Everything Tonewatch posts in Slack goes through here, behind the audience check.

Texts arrive escaped (`handlers.slack.text.escape`, where they are built); every text and block
leaving here is also `defuse`d, so a broadcast or group mention can never be sent.

`SlackPoster` is the outbound port (`bot.outbound.port.Poster`) for Slack: alert
cards and their threads, digests, attention lists and notices, plus the guarded
primitives the listeners answer with (a message, a DM, an image). Each one asks
`SlackDirectory.customers_can_read` right before posting and refuses when the
answer is yes or unknown. The single exception is `post_customer_reply`, the
reply a person chose to send from the "Use draft" modal.

A digest or notice goes to a channel, or to a CSM's DM (`owner_dm`, the address
being their Slack user id); its chart is shared with files_upload_v2. The
scheduler claims each (target, period) once; a chart that fails to upload is
logged, not retried, so it never makes the digest post twice.

chat.postMessage has no idempotency key, so an alert (and its draft reply) is
posted with message metadata naming it; a retry after a lost answer looks for
that metadata in the channel's latest messages (or the thread) before posting
again. The look is best effort: if Slack cannot be asked, the post is made, and
at worst shows twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.service import AlertCard
from bot.digest.build import Digest
from bot.digest.render import render_digest_text
from bot.messages.places import PlaceRegistry
from bot.outbound.port import AlertNotice, AudienceUnknown, Destination, NotInternal, Poster, PostReceipt
from bot.questions.answer import MessageRef, message_refs
from handlers.slack.blocks import (
    REFUSAL,
    alert_blocks,
    clip,
    fallback_text,
    joined_text,
    section,
    thread_blocks,
    thread_fallback,
)
from handlers.slack.clients import Home, SlackClients
from handlers.slack.digest import digest_blocks, digest_message_ids, notice_blocks
from handlers.slack.directory import SlackDirectory, is_external_user
from handlers.slack.text import defuse, defuse_blocks, escape
from storage.db import Engine, transaction
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)

#: Message metadata event types that mark our alert posts, so a retry can find them.
ALERT_EVENT = "tonewatch_alert"
ALERT_THREAD_EVENT = "tonewatch_alert_thread"
#: How many of the newest messages a retry looks through for an earlier attempt's post. Slack caps
#: it at 15 for non-Marketplace apps; an alert channel busier than that between two attempts means
#: the earlier post is not found, and the alert shows twice.
LOOKBACK_MESSAGES = 50


def alert_marker(event_type: str, alert_id: int) -> dict[str, Any]:
    return {"event_type": event_type, "event_payload": {"alert_id": alert_id}}


class SlackPoster(Poster):
    platform = "slack"

    def __init__(
        self, clients: SlackClients, directory: SlackDirectory, places: PlaceRegistry, engine: Engine
    ) -> None:
        self.clients = clients
        self.directory = directory
        self.places = places
        self.engine = engine

    # --- the audience check -----------------------------------------------------------------

    async def is_internal(self, channel: str, *, unknown_raises: bool = False) -> bool:
        try:
            client, home = await self.clients.for_channel(channel)
            return not await self.directory.customers_can_read(
                client, channel, home, fresh=True, unknown_raises=unknown_raises
            )
        except Exception as exc:  # noqa: BLE001 - no client or no answer means no check, and no post
            if unknown_raises:
                raise AudienceUnknown(f"Slack did not say who can read {channel}: {exc}") from exc
            log.warning("no Slack client for %s: %s", channel, exc)
            return False

    async def internal_client(self, channel: str) -> AsyncWebClient:
        """The client for `channel`, only once Slack confirmed no customer can read it."""
        if not await self.is_internal(channel):
            raise NotInternal(f"Slack channel {channel} is readable by customers (or unknown); not posting")
        client, _home = await self.clients.for_channel(channel)
        return client

    # --- guarded primitives (alerts, digests, answers) ---------------------------------------

    async def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Post in an internal channel (or in a thread there); returns the message ts."""
        client = await self.internal_client(channel)
        answer = await client.chat_postMessage(
            channel=channel,
            text=defuse(clip(text, 3000)),
            blocks=defuse_blocks(blocks),
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )
        return str(answer["ts"])

    async def update_message(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        client = await self.internal_client(channel)
        await client.chat_update(
            channel=channel, ts=ts, text=defuse(clip(text, 3000)), blocks=defuse_blocks(blocks)
        )

    async def post_to_user(
        self,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        near_channel: str | None = None,
    ) -> str:
        """A DM to one of our own people (refused for a guest or an external person).

        With many workspaces, `near_channel` (any channel of the person's workspace) picks the bot token.
        """
        return await self.post_message(await self.open_dm(user, near_channel), text, blocks)

    async def open_dm(self, user: str, near_channel: str | None = None) -> str:
        """The DM channel with `user`, opened if need be (posting there is still checked, per post)."""
        if self.clients.installations is None:
            client = self.clients.app_client
        else:
            client, _home = await self.clients.for_channel(near_channel or "")
        opened = await client.conversations_open(users=user)
        channel = str(opened["channel"]["id"])
        if near_channel:
            self.clients.same_team(channel, near_channel)
        return channel

    async def upload_image(
        self, channel: str, png: bytes, filename: str, title: str, thread_ts: str | None = None
    ) -> None:
        """A chart in an internal channel, via the files v2 upload steps."""
        client = await self.internal_client(channel)
        await client.files_upload_v2(
            channel=channel, content=png, filename=filename, title=title, thread_ts=thread_ts
        )

    async def whisper(
        self,
        client: AsyncWebClient,
        channel: str,
        user: str,
        home: Home,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
    ) -> None:
        """An ephemeral message only `user` sees; refused unless `user` is one of our own people."""
        if is_external_user(await self.directory.user(client, user), home):
            raise NotInternal(f"{user} is external; only the refusal may be shown to them")
        await client.chat_postEphemeral(
            channel=channel, user=user, text=defuse(clip(text, 3000)), blocks=defuse_blocks(blocks)
        )

    async def refuse(self, client: AsyncWebClient, channel: str, user: str) -> None:
        """The polite refusal an external person gets (it says nothing about anything)."""
        await client.chat_postEphemeral(channel=channel, user=user, text=REFUSAL)

    async def permalink(self, channel: str, ts: str) -> str | None:
        try:
            client, _home = await self.clients.for_channel(channel)
            return (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink")
        except Exception as exc:  # noqa: BLE001 - the link is a convenience; the alert still goes out
            log.info("no permalink for %s/%s: %s", channel, ts, exc)
            return None

    async def permalinks(self, refs: Iterable[MessageRef]) -> dict[int, str]:
        """Links to the Slack messages among `refs` (others have none); a failed lookup just has no link."""
        slack = {r.message_id: r for r in refs if r.platform == "slack" and r.place and r.external_id}
        found = await asyncio.gather(*(self.permalink(ref.place, ref.external_id) for ref in slack.values()))
        return {message_id: link for message_id, link in zip(slack, found, strict=True) if link}

    # --- alert cards and their threads -------------------------------------------------------

    async def _source_link(self, card: AlertCard) -> str | None:
        if card.source_platform != "slack" or not card.source_place:
            return None
        return await self.permalink(card.source_place, card.source_external_id)

    async def post_alert(self, channel: str, card: AlertCard) -> str:
        blocks = alert_blocks(card, await self._source_link(card))
        marker = alert_marker(ALERT_EVENT, card.alert_id)
        return await self.post_message(channel, fallback_text(card), blocks, metadata=marker)

    async def dm_alert(self, user: str, card: AlertCard, near_channel: str) -> str:
        """The alert card in the owner's DM (refused for a guest or an external person)."""
        blocks = [section(f"An alert on *{escape(card.account)}*, an account you own:")]
        blocks += alert_blocks(card, await self._source_link(card))
        return await self.post_to_user(user, fallback_text(card), blocks, near_channel=near_channel)

    async def find_alert(self, channel: str, card: AlertCard) -> str | None:
        return await self._find_marked(channel, alert_marker(ALERT_EVENT, card.alert_id))

    async def find_alert_thread(self, channel: str, ref: str, card: AlertCard) -> bool:
        marker = alert_marker(ALERT_THREAD_EVENT, card.alert_id)
        return await self._find_marked(channel, marker, thread_ts=ref) is not None

    async def _find_marked(
        self, channel: str, marker: dict[str, Any], thread_ts: str | None = None
    ) -> str | None:
        """The ts of our message carrying `marker` among the newest of the channel (or thread)."""
        try:
            client = await self.internal_client(channel)
            if thread_ts:
                answer = await client.conversations_replies(
                    channel=channel, ts=thread_ts, limit=LOOKBACK_MESSAGES, include_all_metadata=True
                )
            else:
                answer = await client.conversations_history(
                    channel=channel, limit=LOOKBACK_MESSAGES, include_all_metadata=True
                )
        except Exception as exc:  # noqa: BLE001 - best effort: post again rather than risk losing it
            log.warning("could not look for an earlier post in %s (%s); posting again", channel, exc)
            return None
        for message in answer.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == marker["event_type"]
                and metadata.get("event_payload") == marker["event_payload"]
            ):
                return str(message["ts"])
        return None

    async def refresh_alert(self, channel: str, ref: str, card: AlertCard) -> None:
        """Show the alert's current state (severity, count, newest quote, status) in its root message."""
        blocks = alert_blocks(card, await self._source_link(card))
        await self.update_message(channel, ref, fallback_text(card), blocks)

    async def update_alert(
        self, channel: str, ref: str, card: AlertCard, joined_quote: str | None, note: str | None = None
    ) -> str | None:
        await self.refresh_alert(channel, ref, card)
        if note is not None:
            return await self.post_message(channel, note, [section(note)], thread_ts=ref)
        if joined_quote is None:
            return None
        line = joined_text(card, joined_quote)
        return await self.post_message(channel, line, [section(line)], thread_ts=ref)

    async def post_alert_thread(self, channel: str, ref: str, card: AlertCard) -> str:
        marker = alert_marker(ALERT_THREAD_EVENT, card.alert_id)
        return await self.post_message(
            channel, thread_fallback(card), thread_blocks(card), thread_ts=ref, metadata=marker
        )

    async def post_note(self, channel: str, ref: str, text: str) -> str:
        return await self.post_message(channel, text, [section(text)], thread_ts=ref)

    # --- digests, attention lists and notices ------------------------------------------------

    async def _channel(self, target: Destination | None, tenant: str = DEFAULT_TENANT) -> str:
        if target is None:
            place = await asyncio.to_thread(self.places.alert_channel, self.platform, tenant)
            if place is None or place.platform != self.platform:
                raise NotInternal("no Slack alert channel yet (`/tonewatch alerts #channel` sets one)")
            return place.external_id
        if target.kind == "owner_dm":
            return await self.open_dm(target.address)
        return target.address

    async def _links(self, message_ids: list[int]) -> tuple[dict[int, str], dict[int, MessageRef]]:
        def read() -> dict[int, MessageRef]:
            with transaction(self.engine) as tx:
                return message_refs(tx, message_ids)

        refs = await asyncio.to_thread(read) if message_ids else {}
        return await self.permalinks(refs.values()), refs

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        channel = await self._channel(target)
        links, refs = await self._links(digest_message_ids(digest))
        fallback = clip(escape(render_digest_text(digest)), 3000)
        ts = await self.post_message(channel, fallback, digest_blocks(digest, links, refs))
        chart = Path(digest.chart) if digest.chart else None
        if chart is not None and chart.is_file():
            try:
                png = await asyncio.to_thread(chart.read_bytes)
                title = f"Customer sentiment · {digest.period.label}"
                await self.upload_image(channel, png, chart.name, title)
            except Exception:  # noqa: BLE001 - the digest is posted; re-posting it for a chart would double it
                log.warning("digest %s posted without its chart", digest.period.key, exc_info=True)
        return PostReceipt(self.platform, ts)

    async def post_notice(self, notice: AlertNotice, target: Destination | None = None) -> PostReceipt:
        channel = await self._channel(target, notice.tenant)
        links, refs = await self._links(list(notice.message_ids[:10]))
        blocks = notice_blocks(notice, links, refs)
        ts = await self.post_message(channel, escape(notice.render_text()), blocks)
        return PostReceipt(self.platform, ts)

    # --- taking posts back (`tonewatch forget`) ----------------------------------------------

    async def retract_post(self, channel: str, root: str, ref: str) -> None:
        """Deleting needs no audience check. A card goes with all of ours in its thread: Slack lists
        a thread, so notes and lines posted before their references were kept go too."""
        client, _home = await self.clients.for_channel(channel)
        if ref == root:
            for ts in await self._our_thread_posts(client, channel, root):
                await self._delete(client, channel, ts)
        await self._delete(client, channel, ref)

    async def _our_thread_posts(self, client: AsyncWebClient, channel: str, root: str) -> list[str]:
        me = await client.auth_test()
        ours = {me.get("user_id"), me.get("bot_id")} - {None}
        found: list[str] = []
        cursor = None
        while True:
            try:
                page = await client.conversations_replies(channel=channel, ts=root, limit=200, cursor=cursor)
            except SlackApiError as exc:
                if exc.response.get("error") == "thread_not_found":
                    return found
                raise
            for message in page.get("messages") or []:
                mine = message.get("user") in ours or message.get("bot_id") in ours
                if mine and message.get("ts") != root:
                    found.append(str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return found

    @staticmethod
    async def _delete(client: AsyncWebClient, channel: str, ts: str) -> None:
        try:
            await client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as exc:
            # Gone already: deleted by an earlier attempt, by a person, or with its channel.
            if exc.response.get("error") not in ("message_not_found", "channel_not_found"):
                raise


async def post_customer_reply(client: AsyncWebClient, channel: str, thread_ts: str, text: str) -> str:
    """THE customer-facing post: a reply a person wrote or approved and explicitly chose to send.

    Called only from the "Use draft" modal's submit. No audience check here on
    purpose: the customer's channel is external by definition.
    """
    answer = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    return str(answer["ts"])
