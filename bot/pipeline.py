"""The path of a message through the core: normalize, store, analyze.

Storing comes first and is its own transaction, so a message is durable
before anything slow (an LLM call) happens; analysis picks up every stored
message still `pending`, which is also how a restart finishes a crashed run.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, update
from sqlmodel import col, select

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer, InvalidText, clean_text
from bot.inbound import InboundMessage
from storage.db import session_scope
from storage.models import CustomerMessage, WorkItem
from storage.queries import clear_message_signals, mark_invalid, record_analysis, store_message
from storage.queue import DONE, enqueue, requeue

log = logging.getLogger(__name__)

#: The work-queue kind for "analyze this stored message".
ANALYZE = "analyze"

#: How many earlier messages of a thread go to the analyzer as context.
THREAD_CONTEXT_MESSAGES = 5


@dataclass
class StoredMessage:
    id: int
    created: bool


class MessagePipeline:
    """Stores inbound messages and analyzes the pending ones."""

    def __init__(self, engine: Engine, analyzer: Analyzer, max_text_chars: int = 20_000) -> None:
        self.engine = engine
        self.analyzer = analyzer
        self.max_text_chars = max_text_chars
        #: Where blocking calls of the analysis path run (see bot/threads.py).
        self.offload = asyncio.to_thread

    def store(self, inbound: InboundMessage) -> StoredMessage:
        """Store (idempotently) and return at once; analysis happens later."""
        with session_scope(self.engine) as session:
            message, created = store_message(session, inbound)
            session.flush()
            if created and message.status == "pending":
                enqueue(session, ANALYZE, str(message.id))
            return StoredMessage(id=message.id or 0, created=created)

    def replace_text(self, platform: str, place_key: str, external_id: str, text: str | None) -> int | None:
        """An edit (new text, analyzed again) or a delete (text None, erased); returns the message id."""
        with session_scope(self.engine) as session:
            message = session.exec(
                select(CustomerMessage).where(
                    CustomerMessage.platform == platform,
                    CustomerMessage.place_key == place_key,
                    CustomerMessage.external_id == external_id,
                )
            ).first()
            if message is None:
                return None
            message.text = text
            # The old reading no longer holds: its concerns must not count in top concerns or incidents.
            clear_message_signals(session, message)
            if text is None:
                message.status = "deleted"
            elif message.is_customer:
                message.status = "pending"
                session.flush()
                requeue(session, ANALYZE, str(message.id))
            session.add(message)
            return message.id

    def store_many(self, inbound: list[InboundMessage], chunk: int = 1000) -> list[StoredMessage]:
        """Store a batch (an import), a transaction per chunk; idempotent like `store`."""
        stored: list[StoredMessage] = []
        for start in range(0, len(inbound), chunk):
            with session_scope(self.engine) as session:
                for item in inbound[start : start + chunk]:
                    message, created = store_message(session, item)
                    session.flush()
                    if created and message.status == "pending":
                        enqueue(session, ANALYZE, str(message.id))
                    stored.append(StoredMessage(id=message.id or 0, created=created))
        return stored

    def pending_ids(self, limit: int = 100) -> list[int]:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(CustomerMessage.id)
                .where(CustomerMessage.status == "pending")
                .order_by(col(CustomerMessage.id))
                .limit(limit)
            ).all()
            return [row for row in rows if row is not None]

    def _load_requests(self, message_ids: list[int]) -> dict[int, AnalysisRequest]:
        """Requests for the given messages that are still pending; invalid texts are marked so."""
        requests: dict[int, AnalysisRequest] = {}
        with session_scope(self.engine) as session:
            for message_id in message_ids:
                message = session.get(CustomerMessage, message_id)
                if message is None or message.status != "pending":
                    continue
                try:
                    text = clean_text(message.text or "", self.max_text_chars)
                except InvalidText as exc:
                    log.info("message %s not analyzable: %s", message_id, exc)
                    mark_invalid(session, message, str(exc))
                    continue
                context = self._thread_context(session, message)
                requests[message_id] = AnalysisRequest(text=text, context=context)
        return requests

    @staticmethod
    def _thread_context(session, message: CustomerMessage) -> tuple[str, ...]:
        if not message.thread_key:
            return ()
        earlier = session.exec(
            select(CustomerMessage.text)
            .where(
                CustomerMessage.thread_key == message.thread_key,
                CustomerMessage.place_key == message.place_key,
                CustomerMessage.id != message.id,
                CustomerMessage.created_at <= message.created_at,
            )
            .order_by(col(CustomerMessage.created_at).desc())
            .limit(THREAD_CONTEXT_MESSAGES)
        ).all()
        return tuple(text for text in reversed(earlier) if text)

    def _save(self, outcomes: dict[int, AnalysisOutcome]) -> None:
        with session_scope(self.engine) as session:
            for message_id, outcome in outcomes.items():
                message = session.get(CustomerMessage, message_id)
                if message is None or message.status != "pending":
                    continue  # erased, or another worker finished it first
                record_analysis(session, message, outcome)
            # The CLI analyzes in-process; the queue entries for these are then finished too.
            session.exec(  # type: ignore[call-overload]
                update(WorkItem)
                .where(WorkItem.kind == ANALYZE, col(WorkItem.subject).in_([str(i) for i in outcomes]))
                .values(status=DONE)
            )

    async def analyze_messages(
        self, message_ids: list[int], concurrency: int = 8
    ) -> dict[int, AnalysisOutcome]:
        """Analyze the given stored messages that are still pending, and store the results."""
        requests = await self.offload(self._load_requests, message_ids)
        gate = asyncio.Semaphore(concurrency)

        async def run(message_id: int, request: AnalysisRequest) -> tuple[int, AnalysisOutcome]:
            async with gate:
                return message_id, await self.analyzer.analyze(request)

        outcomes = dict(await asyncio.gather(*(run(mid, req) for mid, req in requests.items())))
        await self.offload(self._save, outcomes)
        return outcomes

    async def analyze_message(self, message_id: int) -> AnalysisOutcome | None:
        return (await self.analyze_messages([message_id])).get(message_id)

    async def analyze_pending(self, batch: int = 200) -> int:
        """Analyze every pending message; returns how many were analyzed."""
        done = 0
        while ids := await self.offload(self.pending_ids, batch):
            outcomes = await self.analyze_messages(ids)
            done += len(outcomes)
            if not outcomes and ids == await self.offload(self.pending_ids, batch):
                break  # nothing could progress; never spin
        return done
