"""Every call Tonewatch makes to the Bot Connector (Teams' side), in one place.

`TeamsCalls` wraps the connector client of one turn: an inbound activity's, or
a proactive turn opened by `TeamsConnector.run` from a stored conversation
reference (how the worker reaches Teams without an inbound request). Calls
are retried on 429 and 412 with exponential backoff and jitter, honouring
Retry-After, as Teams' rate-limit guidance asks; msrest, under botbuilder's
connector client, already retries 408 and 5xx (502, 503, 504 among them) by
itself. Deciding what may be posted where is not done here but in
`handlers/teams/poster.py`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from handlers.teams.conversations import ConversationInfo, TeamsConversations
from handlers.teams.people import Person, person_from

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Told of every failed Bot Connector attempt: (platform, method, status), e.g. Telemetry.platform_api_failed.
Observe = Callable[[str, str, "str | int"], None]

#: Statuses msrest does not retry by itself (it retries 408 and 5xx).
RETRY_STATUSES = frozenset({412, 429})
MAX_ATTEMPTS = 4
PAGE_SIZE = 200


class NoConversation(LookupError):
    """Tonewatch has no reference for that conversation (never added there, or removed)."""


def base_id(conversation_id: str) -> str:
    """The channel or chat id of a conversation id (a channel thread's id ends in `;messageid=<root>`)."""
    return conversation_id.split(";", 1)[0]


def thread_id(channel_id: str, root_id: str) -> str:
    return f"{base_id(channel_id)};messageid={root_id}"


def status_of(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)


def _retry_after(error: BaseException) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    value = headers.get("Retry-After")
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


async def with_retries(
    call: Callable[[], Awaitable[T]], what: str, method: str = "unknown", observe: Observe | None = None
) -> T:
    """`call`, retried on 429 and 412; `observe` hears of each failed attempt, by Bot Connector operation."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except ClientRequestError:
            if observe is not None:
                observe("teams", method, "connection")
            raise
        except HttpOperationError as error:
            status = status_of(error)
            if observe is not None:
                observe("teams", method, status or "error")
            if status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                raise
            wait = _retry_after(error)
            if wait is None:
                wait = 0.5 * 2 ** (attempt - 1) * (1 + random.random())  # noqa: S311 - jitter, not security
            log.info("Teams answered %s to %s; retrying in %.1fs", status, what, wait)
            await asyncio.sleep(min(wait, 30.0))
    raise AssertionError("unreachable")


def message(text: str | None = None, attachments: list[Any] | None = None) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, attachments=attachments or None)


class TeamsCalls:
    """The Bot Connector calls of one turn (one service URL)."""

    def __init__(
        self,
        client: Any,
        bot: ChannelAccount | None,
        tenant_id: str | None,
        kind: str | None = None,
        observe: Observe | None = None,
    ) -> None:
        self.client = client
        self.observe = observe
        self.bot = bot
        self.tenant_id = tenant_id
        #: "channel", "groupChat" or "personal": channels have threads, chats do not.
        self.kind = kind

    @classmethod
    def of(cls, context: TurnContext, observe: Observe | None = None) -> TeamsCalls:
        activity = context.activity
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if client is None:
            raise RuntimeError("no Bot Connector client in this turn")
        tenant = (activity.conversation.tenant_id if activity.conversation else None) or (
            ((activity.channel_data or {}).get("tenant") or {}).get("id")
            if isinstance(activity.channel_data, dict)
            else None
        )
        kind = activity.conversation.conversation_type if activity.conversation else None
        return cls(client, activity.recipient, tenant, kind, observe)

    async def _call(self, call: Callable[[], Awaitable[T]], what: str, method: str) -> T:
        return await with_retries(call, what, method, self.observe)

    async def members(self, conversation_id: str) -> list[Person]:
        """Everyone in the channel or chat, page by page."""
        people: list[Person] = []
        conversation = base_id(conversation_id)
        token: str | None = None

        async def page() -> Any:
            return await self.client.conversations.get_teams_conversation_paged_members(
                conversation, PAGE_SIZE, token
            )

        while True:
            found = await self._call(page, "list members", "getConversationPagedMembers")
            people.extend(person_from(member) for member in found.members or [])
            token = found.continuation_token
            if not token:
                return people

    async def member(self, conversation_id: str, user_id: str) -> Person:
        found = await self._call(
            lambda: self.client.conversations.get_conversation_member(base_id(conversation_id), user_id),
            "look up a member",
            "getConversationMember",
        )
        return person_from(found)

    async def send(self, conversation_id: str, activity: Activity) -> str:
        """A new message in the conversation (a channel thread when the id names one)."""
        sent = await self._call(
            lambda: self.client.conversations.send_to_conversation(conversation_id, activity),
            "send",
            "sendToConversation",
        )
        return str(getattr(sent, "id", "") or "")

    async def reply(self, channel_id: str, root_id: str, activity: Activity) -> str:
        """A reply in the thread that starts with `root_id`."""
        sent = await self._call(
            lambda: self.client.conversations.reply_to_activity(
                thread_id(channel_id, root_id), root_id, activity
            ),
            "reply in a thread",
            "replyToActivity",
        )
        return str(getattr(sent, "id", "") or "")

    async def update(self, conversation_id: str, activity_id: str, activity: Activity) -> None:
        activity.id = activity_id
        await self._call(
            lambda: self.client.conversations.update_activity(conversation_id, activity_id, activity),
            "update a message",
            "updateActivity",
        )

    async def delete(self, conversation_id: str, activity_id: str) -> None:
        """Delete one of our posts; one already gone (404) is fine."""
        try:
            await self._call(
                lambda: self.client.conversations.delete_activity(conversation_id, activity_id),
                "delete a message",
                "deleteActivity",
            )
        except HttpOperationError as error:
            if status_of(error) != 404:
                raise

    async def new_thread(self, channel_id: str, activity: Activity) -> str:
        """Start a new thread (a post) in a channel; returns the post's id (the thread's root)."""
        tenant = {"tenant": {"id": self.tenant_id}} if self.tenant_id else {}
        parameters = ConversationParameters(
            is_group=True,
            bot=self.bot,
            channel_data={"channel": {"id": base_id(channel_id)}, **tenant},
            activity=activity,
            tenant_id=self.tenant_id,
        )
        created = await self._call(
            lambda: self.client.conversations.create_conversation(parameters),
            "start a thread",
            "createConversation",
        )
        root = created.activity_id or str(created.id or "").partition(";messageid=")[2]
        if not root:
            raise RuntimeError("Teams did not say which post it created")
        return str(root)

    async def open_personal_chat(self, user_id: str) -> str:
        """The 1:1 chat between Tonewatch and one person of this tenant (created if new)."""
        tenant = {"tenant": {"id": self.tenant_id}} if self.tenant_id else {}
        parameters = ConversationParameters(
            is_group=False,
            bot=self.bot,
            members=[ChannelAccount(id=user_id)],
            channel_data=tenant or None,
            tenant_id=self.tenant_id,
        )
        created = await self._call(
            lambda: self.client.conversations.create_conversation(parameters),
            "open a 1:1 chat",
            "createConversation",
        )
        return str(created.id)


class TeamsConnector:
    """Opens proactive turns from stored references (the worker's and the scheduler's way in)."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        conversations: TeamsConversations,
        observe: Observe | None = None,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
    ) -> None:
        self.adapter = adapter
        self.observe = observe
        self.app_id = app_id
        self.conversations = conversations
        #: Where blocking calls run: the worker's threads (bot/runtime/threads.py), not the requests'
        #: executor.
        self.offload = offload

    async def info(self, conversation_id: str) -> ConversationInfo:
        info = await self.offload(self.conversations.get, base_id(conversation_id))
        if info is None or not info.installed or not info.reference:
            raise NoConversation(f"Tonewatch is not in Teams conversation {base_id(conversation_id)}")
        return info

    async def run(self, conversation_id: str, work: Callable[[TeamsCalls], Awaitable[T]]) -> T:
        """Run `work` with the connector of the conversation's stored reference; its errors propagate."""
        info = await self.info(conversation_id)
        reference = ConversationReference().deserialize(info.reference)
        outcome: list[Any] = []
        failure: list[BaseException] = []

        async def callback(context: TurnContext) -> None:
            # Errors are carried out of the turn ourselves: the adapter must not swallow a failed post.
            try:
                calls = TeamsCalls.of(context, self.observe)
                calls.tenant_id = calls.tenant_id or info.tenant_id
                calls.kind = info.kind
                outcome.append(await work(calls))
            except BaseException as error:  # noqa: BLE001 - re-raised below, outside the adapter
                failure.append(error)

        await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
        if failure:
            raise failure[0]
        return outcome[0]


def reference_of(activity: Activity) -> dict[str, Any]:
    """The serialized conversation reference of an inbound activity."""
    return TurnContext.get_conversation_reference(activity).serialize()


def personal_reference(
    channel_reference: dict[str, Any], chat_id: str, user_id: str, tenant: str | None
) -> dict[str, Any]:
    """A reference for a 1:1 chat opened from a channel turn (same service URL and bot)."""
    reference = dict(channel_reference)
    reference["conversation"] = {"id": chat_id, "conversationType": "personal", "tenantId": tenant}
    reference["user"] = {"id": user_id}
    reference.pop("activityId", None)
    return reference
