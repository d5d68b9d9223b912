"""Tonewatch's Teams bot: every inbound activity, routed to the listening, command, question and card code.

Every activity first refreshes the conversation's stored reference (how
alerts and digests reach Teams later). Messages in watched places are stored
before Teams gets its answer; anything slower — answers, commands, card
refreshes — runs in the background and reaches Teams proactively, so Teams
hears back well within its 15-second limit. An activity Teams delivers twice
is acted on once. Only our own people are answered; an external person who
writes to Tonewatch in a 1:1 chat gets the polite refusal and nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.core import ActivityHandler, TurnContext

from bot.outbound.port import NotInternal
from handlers.teams.actions import TeamsActions
from handlers.teams.activity import Turn, card_submission, conversation_info, turn_of
from handlers.teams.cards import GREETING, REFUSAL
from handlers.teams.commands import TeamsCommands, verb_of
from handlers.teams.connector import message
from handlers.teams.deps import PLATFORM, TeamsDeps
from handlers.teams.messages import TeamsMessages
from handlers.teams.people import is_external
from handlers.teams.questions import TeamsQuestions
from handlers.teams.replies import Replier

log = logging.getLogger(__name__)

#: Activity types whose conversation is worth remembering (a reference to post there later).
REMEMBERED = (
    ActivityTypes.message,
    ActivityTypes.message_update,
    ActivityTypes.message_delete,
    ActivityTypes.conversation_update,
    ActivityTypes.installation_update,
)


def is_bot(context: TurnContext) -> bool:
    """Written by a bot (Teams bot ids start with "28:")."""
    author = context.activity.from_property
    return author is not None and (str(author.id or "").startswith("28:") or author.role == "bot")


def _removes_bot(context: TurnContext) -> bool:
    activity = context.activity
    bot = activity.recipient.id if activity.recipient else None
    if activity.type == ActivityTypes.installation_update:
        return str(activity.action or "").startswith("remove")
    return any(member.id == bot for member in activity.members_removed or [])


#: Teams' `channelData.eventType` on a message update or delete that Tonewatch follows.
EDITED, SOFT_DELETED = "editMessage", "softDeleteMessage"


def event_type(context: TurnContext) -> str | None:
    data = context.activity.channel_data
    return data.get("eventType") if isinstance(data, dict) else None


class TeamsBot(ActivityHandler):
    """The SDK's activity handler; Teams' own events (edits, soft deletes) are told apart by
    `channelData.eventType`, as the Teams extension of the SDK does (not used: it needs Python 3.12)."""

    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps
        self.messages = TeamsMessages(deps)
        self.replier = Replier(deps)
        self.commands = TeamsCommands(deps)
        self.actions = TeamsActions(deps)
        self.questions = TeamsQuestions(deps, self.replier)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.type in REMEMBERED and activity.conversation and not _removes_bot(turn_context):
            await asyncio.to_thread(self.deps.conversations.remember, conversation_info(turn_context))
        await super().on_turn(turn_context)

    def home_tenant(self, turn: Turn) -> str | None:
        return self.deps.settings.teams_tenant_id or turn.tenant_id

    # --- messages -----------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = turn_of(turn_context)
        key = f"message:{turn.conversation_id}:{turn.activity_id}"
        if not self.deps.recent.first_time(key):
            self.deps.telemetry.duplicates.labels(PLATFORM).inc()
            return
        try:
            await self._message(turn_context, turn)
        except BaseException:
            self.deps.recent.forget(key)  # let Teams' redelivery try again
            raise

    async def _message(self, context: TurnContext, turn: Turn) -> None:
        if is_bot(context):
            return  # other bots' posts are neither the customer's words nor ours
        if turn.value is not None and "tonewatch" in turn.value:
            card_submission(turn.value)  # a 400 naming the field, before anything is looked up
            author = await self.messages.author(context, turn)
            if is_external(author, self.home_tenant(turn)):
                log.warning("card action from outside the team ignored (%s)", turn.conversation_id)
                return
            await self.actions.on_submit(dataclasses.replace(turn, author=author))
            return
        if turn.kind == "personal":
            await self._personal(context, turn)
            return
        place = await asyncio.to_thread(
            self.deps.places.get, PLATFORM, turn.conversation_id, self.deps.tenant(turn)
        )
        watched = place is not None and place.watched
        if not watched and not turn.mentioned:
            return  # RSC delivers every message; only watched places are read
        author = await self.messages.author(context, turn)
        turn = dataclasses.replace(turn, author=author)
        customer = await self.messages.is_customer(author, turn, place)
        if watched and place is not None and turn.text and (customer or not turn.mentioned):
            await self.messages.store(turn, place, author, customer)
        if turn.mentioned and not customer:
            self._addressed(turn)

    async def _personal(self, context: TurnContext, turn: Turn) -> None:
        author = await self.messages.member(context, turn)
        if author is None:
            # The chat's own roster does not know its author: not a 1:1 chat Teams holds with
            # someone, so there is no one to answer, and no post can be shown to be private.
            log.warning("1:1 message from outside its chat's roster ignored (%s)", turn.conversation_id)
            return
        if is_external(author, self.home_tenant(turn)):
            await context.send_activity(message(text=REFUSAL))
            return
        self._addressed(dataclasses.replace(turn, author=author))

    def _addressed(self, turn: Turn) -> None:
        """A command or a question from one of our own people: answered in the background."""
        if verb_of(turn.text) or not turn.text:
            self.deps.background.spawn(self._command(turn), "run a Teams command")
        else:
            self.deps.background.spawn(self.questions.answer(turn, turn.text), "answer a Teams question")

    async def _command(self, turn: Turn) -> None:
        await self.replier.reply(turn, await self.commands.run(turn))

    # --- edits and deletes ------------------------------------------------------------------

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        if event_type(turn_context) == EDITED:
            await self.messages.edited(turn_of(turn_context))

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        if event_type(turn_context) == SOFT_DELETED:
            await self.messages.deleted(turn_of(turn_context))

    # --- installs, members ------------------------------------------------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot = activity.recipient.id if activity.recipient else None
        turn = turn_of(turn_context)
        added = activity.members_added or []
        if any(member.id == bot for member in added):
            if self.deps.recent.first_time(f"greet:{turn.conversation_id}"):
                self.deps.background.spawn(self._greet(turn), "greet a new conversation")
        elif added:
            place = await asyncio.to_thread(
                self.deps.places.get, PLATFORM, turn.conversation_id, self.deps.tenant(turn)
            )
            if place is not None and place.is_alert_channel:
                self.deps.background.spawn(self._recheck(turn.conversation_id), "re-check the alert channel")
        if _removes_bot(turn_context):
            await self._forget(turn)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._forget(turn_of(turn_context))

    async def _forget(self, turn: Turn) -> None:
        """Removed from a chat, a channel or a whole team: never post there again."""

        def forget() -> None:
            self.deps.conversations.mark_removed(turn.conversation_id)
            if turn.team_id:
                for info in self.deps.conversations.in_team(turn.team_id):
                    self.deps.conversations.mark_removed(info.conversation_id)

        await asyncio.to_thread(forget)

    async def _greet(self, turn: Turn) -> None:
        try:
            await self.deps.poster.post(turn.conversation_id, message(text=GREETING))
        except NotInternal:
            pass  # customers can read it: say nothing there

    async def _recheck(self, conversation_id: str) -> None:
        if not await self.deps.poster.is_internal(conversation_id):
            await asyncio.to_thread(self.deps.places.mark_external, PLATFORM, conversation_id, True)
            log.warning(
                "Teams alert channel %s can now be read by customers; alerts stop going there",
                conversation_id,
            )
