"""Every call Tonewatch makes to the Bot Connector (Teams' side), in one place.

`TeamsCalls` wraps the connector client of one turn: an inbound activity's, or
a proactive turn opened by `TeamsConnector.run` from a stored conversation
reference (how the worker reaches Teams without an inbound request). Calls
are retried on 429 and 412 with exponential backoff and jitter, honouring
Retry-After, as Teams' rate-limit guidance asks; reads, updates and deletes
(which can be repeated safely) on 408 and 5xx too. A new post is not retried
on a 5xx here: Teams may have made it, and the worker's retry decides. Each
call has its own deadline. Deciding what may be posted where is not done here
but in `handlers/teams/poster.py`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext

from handlers.teams.adapter import BotConnectorError, TeamsAdapter
from handlers.teams.people import Person, person_from
from storage.teams_conversations import ConversationInfo, TeamsConversations

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Told of every failed Bot Connector attempt: (platform, method, status), e.g. Telemetry.platform_api_failed.
Observe = Callable[[str, str, "str | int"], None]

#: Statuses every call is retried on.
RETRY_STATUSES = frozenset({412, 429})
#: Statuses a call that can be repeated safely (a read, an update, a delete) is retried on as well.
RETRY_STATUSES_IF_REPEATABLE = RETRY_STATUSES | {408, 500, 502, 503, 504}
MAX_ATTEMPTS = 4
PAGE_SIZE = 200
#: How long one Bot Connector call may take (Teams answers in well under a second).
CALL_TIMEOUT_SECONDS = 30.0
#: The first pause between attempts, doubled each time (with jitter) when Teams names none.
FIRST_PAUSE_SECONDS = 0.5


class NoConversation(LookupError):
    """Tonewatch has no reference for that conversation (never added there, or removed)."""


def base_id(conversation_id: str) -> str:
    """The channel or chat id of a conversation id (a channel thread's id ends in `;messageid=<root>`)."""
    return conversation_id.split(";", 1)[0]


def thread_id(channel_id: str, root_id: str) -> str:
    return f"{base_id(channel_id)};messageid={root_id}"


async def with_retries(
    call: Callable[[], Awaitable[T]],
    what: str,
    method: str = "unknown",
    observe: Observe | None = None,
    *,
    repeatable: bool = False,
    timeout: float = CALL_TIMEOUT_SECONDS,
    pause: float = FIRST_PAUSE_SECONDS,
) -> T:
    """`call`, retried as the module docstring says; `observe` hears of each failed attempt, by operation."""
    retried = RETRY_STATUSES_IF_REPEATABLE if repeatable else RETRY_STATUSES
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with asyncio.timeout(timeout):
                return await call()
        except (aiohttp.ClientError, TimeoutError):
            if observe is not None:
                observe("teams", method, "connection")
            raise
        except BotConnectorError as error:
            if observe is not None:
                observe("teams", method, error.status)
            if error.status not in retried or attempt == MAX_ATTEMPTS:
                raise
            wait = error.retry_after
            if wait is None:
                wait = pause * 2 ** (attempt - 1) * (1 + random.random())  # noqa: S311 - jitter, not security
            log.info("Teams answered %s to %s; retrying in %.1fs", error.status, what, wait)
            await asyncio.sleep(min(wait, 30.0))
    raise AssertionError("unreachable")


def message(text: str | None = None, attachments: list[Attachment] | None = None) -> Activity:
    """A message to post (only the fields given are sent)."""
    fields: dict[str, Any] = {"type": ActivityTypes.message}
    if text is not None:
        fields["text"] = text
    if attachments:
        fields["attachments"] = attachments
    return Activity(**fields)


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
        #: Per call: its deadline, and the first pause between attempts (tests shorten both).
        self.timeout = CALL_TIMEOUT_SECONDS
        self.pause = FIRST_PAUSE_SECONDS

    @classmethod
    def of(cls, context: TurnContext, observe: Observe | None = None) -> TeamsCalls:
        activity = context.activity
        # The SDK keys the turn's services by the abstract class (mypy takes only concrete ones there).
        client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if client is None:
            raise RuntimeError("no Bot Connector client in this turn")
        tenant = (activity.conversation.tenant_id if activity.conversation else None) or (
            ((activity.channel_data or {}).get("tenant") or {}).get("id")
            if isinstance(activity.channel_data, dict)
            else None
        )
        kind = activity.conversation.conversation_type if activity.conversation else None
        return cls(client, activity.recipient, tenant, kind, observe)

    async def _call(
        self, call: Callable[[], Awaitable[T]], what: str, method: str, *, repeatable: bool = False
    ) -> T:
        return await with_retries(
            call, what, method, self.observe, repeatable=repeatable, timeout=self.timeout, pause=self.pause
        )

    async def members(self, conversation_id: str) -> list[Person]:
        """Everyone in the channel or chat, page by page."""
        people: list[Person] = []
        conversation = base_id(conversation_id)
        token: str | None = None

        async def page() -> Any:
            return await self.client.conversations.get_conversation_paged_members(
                conversation, PAGE_SIZE, token
            )

        while True:
            found = await self._call(page, "list members", "getConversationPagedMembers", repeatable=True)
            people.extend(person_from(member) for member in found.members or [])
            token = found.continuation_token
            if not token:
                return people

    async def member(self, conversation_id: str, user_id: str) -> Person:
        found = await self._call(
            lambda: self.client.conversations.get_conversation_member(base_id(conversation_id), user_id),
            "look up a member",
            "getConversationMember",
            repeatable=True,
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
            repeatable=True,
        )

    async def delete(self, conversation_id: str, activity_id: str) -> None:
        """Delete one of our posts; one already gone (404) is fine."""
        try:
            await self._call(
                lambda: self.client.conversations.delete_activity(conversation_id, activity_id),
                "delete a message",
                "deleteActivity",
                repeatable=True,
            )
        except BotConnectorError as error:
            if error.status != 404:
                raise

    async def new_thread(self, channel_id: str, activity: Activity) -> str:
        """Start a new thread (a post) in a channel; returns the post's id (the thread's root)."""
        tenant = {"tenant": {"id": self.tenant_id}} if self.tenant_id else {}
        parameters = ConversationParameters(
            is_group=True,
            channel_data={"channel": {"id": base_id(channel_id)}, **tenant},
            activity=activity,
            **self._bot_and_tenant(),
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

    def _bot_and_tenant(self) -> dict[str, Any]:
        """The new conversation's bot and tenant, where known (the SDK's model refuses an explicit None)."""
        given = {"agent": self.bot, "tenant_id": self.tenant_id}
        return {name: value for name, value in given.items() if value}

    async def open_personal_chat(self, user_id: str) -> str:
        """The 1:1 chat between Tonewatch and one person of this tenant (created if new)."""
        tenant = {"tenant": {"id": self.tenant_id}} if self.tenant_id else {}
        parameters = ConversationParameters(
            is_group=False,
            members=[ChannelAccount(id=user_id)],
            channel_data=tenant or None,
            **self._bot_and_tenant(),
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
        adapter: TeamsAdapter,
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
        reference = ConversationReference.model_validate(info.reference)
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

        await self.adapter.continue_conversation(self.app_id, reference.get_continuation_activity(), callback)
        if failure:
            raise failure[0]
        return outcome[0]


def _wire(account: Any) -> dict[str, Any] | None:
    return account.model_dump(mode="json", by_alias=True, exclude_none=True) if account is not None else None


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference of an inbound activity, as the Bot Framework writes one in JSON."""
    reference = {
        "activityId": activity.id,
        "user": _wire(activity.from_property),
        "bot": _wire(activity.recipient),
        "conversation": _wire(activity.conversation),
        "channelId": str(activity.channel_id) if activity.channel_id else None,
        "locale": activity.locale,
        "serviceUrl": activity.service_url,
    }
    return {key: value for key, value in reference.items() if value is not None}


def personal_reference(
    channel_reference: dict[str, Any], chat_id: str, user_id: str, tenant: str | None
) -> dict[str, Any]:
    """A reference for a 1:1 chat opened from a channel turn (same service URL and bot)."""
    reference = dict(channel_reference)
    reference["conversation"] = {"id": chat_id, "conversationType": "personal", "tenantId": tenant}
    reference["user"] = {"id": user_id}
    reference.pop("activityId", None)
    return reference
