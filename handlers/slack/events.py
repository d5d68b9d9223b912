"""Events API listeners: messages in watched channels, edits and deletes, mentions, DMs, shares.

The app runs with `process_before_response=True`: Slack's HTTP 200 is sent
only after a listener returns, so a customer message is stored (one quick
database write in a thread) before Slack hears "got it". Analysis runs later
in the worker; anything slow a listener starts goes to `deps.background`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.outbound.port import NotInternal
from handlers.slack.blocks import HELP_TEXT
from handlers.slack.clients import Home
from handlers.slack.deps import (
    PLATFORM,
    AnswerPlace,
    HomeViewBuilder,
    QuestionHandler,
    SlackDeps,
    home_of,
)
from handlers.slack.directory import display_name, email_domain, is_external_user
from handlers.slack.payload import (
    object_field,
    optional_id,
    optional_ts,
    required_id,
    required_ts,
    text_field,
)
from handlers.slack.text import defuse_blocks, plain_text, ts_to_datetime
from storage.inbound import InboundMessage
from storage.queries import account_domains
from storage.records import PlaceInfo

log = logging.getLogger(__name__)

#: Message subtypes that are someone writing: plain, a thread reply sent to the channel too, a file
#: with a comment, and `/me` ("me_message", e.g. "/me is still waiting on the export").
WRITTEN_SUBTYPES = (None, "thread_broadcast", "file_share", "me_message")
#: The manifest's names for the message events `app.event("message")` receives.
MESSAGE_EVENTS = ("message.channels", "message.groups", "message.im")


GREETING = (
    "Thanks for adding me. Link this channel to a customer with `/tonewatch watch [account]`, "
    "or make it the alert channel with `/tonewatch alerts` (internal channels only)."
)


def retry_number(request: Any) -> int:
    """X-Slack-Retry-Num of this delivery (0 for the first)."""
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


class SlackEvents:
    def __init__(
        self,
        deps: SlackDeps,
        questions: QuestionHandler | None = None,
        home_view: HomeViewBuilder | None = None,
    ) -> None:
        self.deps = deps
        #: Answers to questions; None replies with the help.
        self.questions = questions
        #: The App Home tab; None shows the help.
        self.home_view = home_view

    def register(self, registrar) -> None:
        registrar.event("message", self.on_message, manifest_names=MESSAGE_EVENTS)
        registrar.event("app_mention", self.on_mention)
        registrar.event("app_home_opened", self.on_home_opened)
        registrar.event("member_joined_channel", self.on_member_joined)
        registrar.event("channel_shared", self.on_channel_shared)
        registrar.event("channel_unshared", self.on_channel_unshared)

    # --- de-duplication ---------------------------------------------------------------------

    def _already_handled(self, body: dict[str, Any], request: Any) -> bool:
        event_id = optional_id(body, "event_id", "body")
        if event_id in self.deps.recent:
            self.deps.telemetry.duplicates.labels(PLATFORM).inc()
            log.info("redelivery %s of %s ignored (already handled)", retry_number(request), event_id)
            return True
        return False

    # --- messages ---------------------------------------------------------------------------

    async def on_message(self, event: dict, body: dict, context, client: AsyncWebClient, request) -> None:
        if self._already_handled(body, request):
            return
        subtype = optional_id(event, "subtype", "event")
        tenant = self.deps.tenant(home_of(context))
        if subtype == "message_changed":
            await self._edited(event, tenant)
        elif subtype == "message_deleted":
            deleted = optional_ts(event, "deleted_ts", "event")
            await self._erase(optional_id(event, "channel", "event"), deleted, tenant)
        elif subtype in WRITTEN_SUBTYPES and not event.get("hidden") and not event.get("bot_id"):
            user = optional_id(event, "user", "event")
            if user and user != context.bot_user_id:
                if event.get("channel_type") == "im":
                    await self._direct_message(event, context, client)
                else:
                    await self._channel_message(event, context, client)
        self.deps.recent.add(body.get("event_id"))

    async def _channel_message(self, event: dict, context, client: AsyncWebClient) -> None:
        channel = required_id(event, "channel", "event")
        ts = required_ts(event, "ts", "event")
        thread_ts = optional_ts(event, "thread_ts", "event")
        text = plain_text(text_field(event, "text", "event")).strip()
        home = home_of(context)
        tenant = self.deps.tenant(home)
        place = await asyncio.to_thread(self.deps.places.get, PLATFORM, channel, tenant)
        if place is None or not place.watched:
            return
        if not text:
            return  # a file with no comment: nothing to read
        await self.deps.remember_channel(channel, home)
        is_customer, user = await self._author(event, home, place, self.deps.quick(client))
        inbound = InboundMessage(
            platform=PLATFORM,
            external_id=ts,
            text=text,
            created_at=ts_to_datetime(ts),
            account=place.account,
            place_key=channel,
            author=display_name(user) if user else event["user"],
            author_email=(user.get("profile") or {}).get("email") if user else None,
            is_customer=is_customer,
            thread_key=thread_ts or ts,
            tenant=tenant,
        )
        stored = await self.deps.pipeline.store_durably(inbound)
        if not stored.created:
            self.deps.telemetry.duplicates.labels(PLATFORM).inc()
            return
        self.deps.telemetry.messages_stored.labels(PLATFORM).inc()
        if is_customer:
            self.deps.wake()

    async def _author(
        self, event: dict, home: Home, place: PlaceInfo, client: AsyncWebClient
    ) -> tuple[bool, dict | None]:
        """Whether the author is on the customer's side, and their profile when Slack gave it."""
        try:
            user = await self.deps.directory.user(client, event["user"])
        except Exception:
            # In Slack Connect the event itself names the author's team; otherwise let Slack retry.
            user_team = optional_id(event, "user_team", "event")
            if user_team and home.team_id and user_team != home.team_id:
                return True, None
            raise
        if is_external_user(user, home):
            return True, user
        domain = email_domain(user)
        if domain and place.account:
            domains = await asyncio.to_thread(account_domains, self.deps.engine, place.account, place.tenant)
            if domain in domains:
                return True, user
        return False, user

    async def _edited(self, event: dict, tenant: str) -> None:
        message = object_field(event, "message", "event")
        previous = object_field(event, "previous_message", "event")
        channel = optional_id(event, "channel", "event")
        ts = optional_ts(message, "ts", "event.message")
        if optional_id(message, "subtype", "event.message") == "tombstone":
            await self._erase(channel, ts, tenant)
            return
        text = plain_text(text_field(message, "text", "event.message")).strip()
        if not channel or not ts or message.get("bot_id"):
            return
        if text == plain_text(text_field(previous, "text", "event.previous_message")).strip():
            return  # an unfurl or a reply count changed, not the words
        if not text:
            await self._erase(channel, ts, tenant)
            return
        found = await asyncio.to_thread(self.deps.pipeline.replace_text, PLATFORM, channel, ts, text, tenant)
        if found is not None:
            self.deps.wake()

    async def _erase(self, channel: str | None, ts: str | None, tenant: str) -> None:
        if channel and ts:
            replace = self.deps.pipeline.replace_text
            found = await asyncio.to_thread(replace, PLATFORM, channel, ts, None, tenant)
            if found is not None:
                self.deps.wake()  # its alert's card, draft and thread follow

    # --- people talking to the bot ----------------------------------------------------------

    async def _direct_message(self, event: dict, context, client: AsyncWebClient) -> None:
        channel, user_id = required_id(event, "channel", "event"), required_id(event, "user", "event")
        question = plain_text(text_field(event, "text", "event")).strip()
        home = home_of(context)
        quick = self.deps.quick(client)
        user = await self.deps.directory.user(quick, user_id)
        if is_external_user(user, home):
            await self.deps.poster.refuse(quick, channel, user_id)
            return
        await self.deps.remember_channel(channel, home)
        place = AnswerPlace(self.deps.poster, channel, user_id, tenant=self.deps.tenant(home))
        self.deps.background.spawn(self._answer(question, user_id, place), "answer a DM")

    async def on_mention(self, event: dict, body: dict, context, client: AsyncWebClient, request) -> None:
        if self._already_handled(body, request):
            return
        channel, user_id = optional_id(event, "channel", "event"), optional_id(event, "user", "event")
        question = plain_text(text_field(event, "text", "event")).strip()
        thread = optional_ts(event, "thread_ts", "event") or optional_ts(event, "ts", "event")
        if not channel or not user_id or event.get("bot_id"):
            return
        home = home_of(context)
        quick = self.deps.quick(client)
        user = await self.deps.directory.user(quick, user_id)
        if is_external_user(user, home):
            await self.deps.poster.refuse(quick, channel, user_id)
        else:
            await self.deps.remember_channel(channel, home)
            self.deps.background.spawn(
                self._answer_in_channel(question, channel, user_id, thread, home, client), "answer a mention"
            )
        self.deps.recent.add(body.get("event_id"))

    async def _answer_in_channel(
        self, question: str, channel: str, user: str, thread: str | None, home: Home, client: AsyncWebClient
    ) -> None:
        """In a channel customers can read, only the asker sees the answer; elsewhere it is a thread reply."""
        shared = await self.deps.directory.customers_can_read(client, channel, home)
        private = (client, home) if shared else None
        place = AnswerPlace(
            self.deps.poster, channel, user, thread, private=private, tenant=self.deps.tenant(home)
        )
        await self._answer(question, user, place)

    async def _answer(self, question: str, user: str, place: AnswerPlace) -> None:
        if self.questions is not None:
            await self.questions(question, user, place)
        else:
            await place.say(HELP_TEXT)

    async def on_home_opened(self, event: dict, context, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        user_id = required_id(event, "user", "event")
        quick = self.deps.quick(client)
        user = await self.deps.directory.user(quick, user_id)
        home = home_of(context)
        if is_external_user(user, home):
            return  # nothing to show someone outside the team
        # The portfolio can take longer to read than Slack waits for our answer: publish after it.
        tenant = self.deps.tenant(home)
        self.deps.background.spawn(self._publish_home(user_id, client, tenant), "publish the App Home")

    async def _publish_home(self, user_id: str, client: AsyncWebClient, tenant: str) -> None:
        if self.home_view is not None:
            view = await self.home_view(user_id, tenant)
        else:
            view = {
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": HELP_TEXT}}],
            }
        await client.views_publish(user_id=user_id, view=defuse_blocks(view))

    # --- who can read a channel changed -------------------------------------------------------

    async def on_member_joined(self, event: dict, context, client: AsyncWebClient) -> None:
        channel = optional_id(event, "channel", "event")
        inviter = optional_id(event, "inviter", "event")
        if not channel:
            return
        self.deps.directory.forget_channel(channel)
        home = home_of(context)
        place = await asyncio.to_thread(self.deps.places.get, PLATFORM, channel, self.deps.tenant(home))
        if place is not None and place.is_alert_channel:
            self.deps.background.spawn(self._recheck(channel, home, client), "re-check the alert channel")
        if optional_id(event, "user", "event") == context.bot_user_id and inviter:
            self.deps.background.spawn(self._greet(client, channel, inviter, home), "greet the inviter")

    async def _greet(self, client: AsyncWebClient, channel: str, inviter: str, home: Home) -> None:
        try:
            await self.deps.poster.whisper(client, channel, inviter, home, GREETING)
        except NotInternal:
            pass  # invited by someone outside the team: say nothing

    async def _recheck(self, channel: str, home: Home, client: AsyncWebClient) -> None:
        external = await self.deps.directory.customers_can_read(client, channel, home)
        await asyncio.to_thread(self.deps.places.mark_external, PLATFORM, channel, external)
        if external:
            log.warning("alert channel %s can now be read by customers; alerts stop going there", channel)

    async def on_channel_shared(self, event: dict) -> None:
        channel = optional_id(event, "channel", "event")
        if channel:
            self.deps.directory.forget_channel(channel)
            await asyncio.to_thread(self.deps.places.mark_external, PLATFORM, channel, True)

    async def on_channel_unshared(self, event: dict, context, client: AsyncWebClient) -> None:
        channel = optional_id(event, "channel", "event")
        if channel:
            self.deps.directory.forget_channel(channel)
            self.deps.background.spawn(
                self._recheck(channel, home_of(context), client), "re-check after unshare"
            )
