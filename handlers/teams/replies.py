"""Answering one of our own people where only our own people read it.

Teams has no message only one person sees in a channel, so an answer to a
command or question goes in the thread when the channel is internal, and
otherwise privately, in the asker's 1:1 chat with Tonewatch (opened if need
be). Both go through the guarded poster; a 1:1 chat is posted in only after
its one member is confirmed to be of our tenant.
"""

from __future__ import annotations

import logging

from microsoft_agents.activity import Activity

from bot.outbound.port import NotInternal
from handlers.teams.activity import Turn
from handlers.teams.connector import message
from handlers.teams.deps import TeamsDeps

log = logging.getLogger(__name__)


class Replier:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def reply(self, turn: Turn, activity: Activity | str) -> None:
        """In the asker's thread if customers cannot read it, else in the asker's 1:1 chat."""
        if isinstance(activity, str):
            activity = message(text=activity)
        if turn.kind == "personal":
            await self.deps.poster.post(turn.conversation_id, activity)
            return
        try:
            await self.deps.poster.post(turn.conversation_id, activity, root=turn.root)
        except NotInternal:
            await self.privately(turn, activity)

    async def privately(self, turn: Turn, activity: Activity) -> None:
        chat = await self.deps.poster.personal_chat(turn.author.id, turn.conversation_id)
        await self.deps.poster.post(chat, activity)
