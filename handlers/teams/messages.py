"""Listening in Teams: customer messages in watched channels and chats, their edits and deletes.

With the manifest's RSC permissions (ChannelMessage.Read.Group,
ChatMessage.Read.Chat) Teams delivers every message of a channel or chat the
app is in, not only mentions. A message in a watched place is stored before
Teams gets its answer (one quick write, idempotent on the activity id, so a
redelivery stores nothing twice) and analyzed later by the worker. Who wrote
it decides whether it is the customer's: a guest, a member of another tenant,
or someone with an e-mail domain listed for the account.
"""

from __future__ import annotations

import asyncio
import logging
import time

from microsoft_agents.hosting.core import TurnContext

from handlers.teams.activity import Turn
from handlers.teams.adapter import BotConnectorError
from handlers.teams.connector import TeamsCalls
from handlers.teams.deps import PLATFORM, TeamsDeps
from handlers.teams.people import Person, writes_as_customer
from storage.inbound import InboundMessage
from storage.queries import account_domains, stored_message_text
from storage.records import PlaceInfo

log = logging.getLogger(__name__)


#: How long a looked-up author is trusted (a tenant never changes; a guest may become a member).
AUTHOR_TTL_SECONDS = 600.0


class TeamsMessages:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps
        self._authors: dict[tuple[str, str], tuple[Person | None, float]] = {}

    def home_tenant(self, turn: Turn) -> str | None:
        return self.deps.settings.teams_tenant_id or turn.tenant_id

    async def author(self, context: TurnContext, turn: Turn) -> Person:
        """The author as the roster knows them (tenant, role, e-mail); errors propagate so Teams retries."""
        person = await self.member(context, turn)
        # Not in the roster (left since, or never a member): nothing says they are ours.
        return person if person is not None else Person(id=turn.author.id, name=turn.author.name)

    async def member(self, context: TurnContext, turn: Turn) -> Person | None:
        """The author as the conversation's roster knows them; None when the roster does not (a 404)."""
        key = (turn.conversation_id, turn.author.id)
        known = self._authors.get(key)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            calls = TeamsCalls.of(context, self.deps.telemetry.platform_api_failed)
            person: Person | None = await calls.member(turn.conversation_id, turn.author.id)
        except BotConnectorError as error:
            if error.status != 404:
                raise
            person = None
        if len(self._authors) > 10_000:
            self._authors.clear()
        self._authors[key] = (person, time.monotonic() + AUTHOR_TTL_SECONDS)
        return person

    async def is_customer(self, author: Person, turn: Turn, place: PlaceInfo | None) -> bool:
        if writes_as_customer(author, self.home_tenant(turn), set()):
            return True  # another tenant or a guest: no need to read the account's domains
        domains = await asyncio.to_thread(
            account_domains, self.deps.engine, place.account if place else None, self.deps.tenant(turn)
        )
        return writes_as_customer(author, self.home_tenant(turn), domains)

    async def store(self, turn: Turn, place: PlaceInfo, author: Person, is_customer: bool) -> None:
        """Store a watched place's message (before Teams has its answer); a customer's wakes the worker."""
        inbound = InboundMessage(
            platform=PLATFORM,
            external_id=turn.activity_id,
            text=turn.text,
            created_at=turn.created_at,
            account=place.account,
            place_key=turn.conversation_id,
            author=author.name or author.id,
            author_email=author.email,
            is_customer=is_customer,
            thread_key=turn.root,
            tenant=self.deps.tenant(turn),
        )
        stored = await self.deps.pipeline.store_durably(inbound)
        if not stored.created:
            self.deps.telemetry.duplicates.labels(PLATFORM).inc()
            log.info("Teams redelivered %s; already stored", turn.activity_id)
            return
        self.deps.telemetry.messages_stored.labels(PLATFORM).inc()
        if is_customer:
            self.deps.wake()

    # --- edits and deletes ------------------------------------------------------------------

    def _stored_text(self, turn: Turn) -> tuple[bool, str | None]:
        return stored_message_text(
            self.deps.engine, self.deps.tenant(turn), PLATFORM, turn.conversation_id, turn.activity_id
        )

    async def edited(self, turn: Turn) -> None:
        """New words are analyzed again; the same words again (a redelivery, a reaction) change nothing."""
        stored, text = await asyncio.to_thread(self._stored_text, turn)
        if not stored or text is None or text == turn.text:
            return
        replace = self.deps.pipeline.replace_text
        found = await asyncio.to_thread(
            replace,
            PLATFORM,
            turn.conversation_id,
            turn.activity_id,
            turn.text or None,
            self.deps.tenant(turn),
        )
        if found is not None:
            self.deps.wake()

    async def deleted(self, turn: Turn) -> None:
        replace = self.deps.pipeline.replace_text
        found = await asyncio.to_thread(
            replace, PLATFORM, turn.conversation_id, turn.activity_id, None, self.deps.tenant(turn)
        )
        if found is not None:
            self.deps.wake()  # its alert's card, draft and thread follow
