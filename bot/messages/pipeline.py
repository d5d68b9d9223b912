"""The path of a message through the core: normalize, store, analyze.

Storing comes first and is its own transaction, so a message is durable
before anything slow (an LLM call) happens; analysis picks up every stored
message still `pending`, which is also how a restart finishes a crashed run.
Whatever an analysis decides (the alert) commits in the transaction that
stores it (`then`), so no crash can leave an analyzed message undecided.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer, InvalidText, clean_text
from bot.runtime.group_commit import GroupCommit
from storage.bulk_store import message_key, store_messages
from storage.db import Engine, Transaction, read_transaction, transaction, urgent_transaction
from storage.inbound import InboundMessage
from storage.messages import (
    change_text,
    earlier_in_thread,
    erase_deleted,
    lock_messages,
    messages_by_ids,
    pending_message_ids,
    store_in_savepoint,
)
from storage.queries import find_message, mark_invalid, message_by_id, record_analyses
from storage.queue import mark_done
from storage.records import MessageInfo
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)

#: The work-queue kind for "analyze this stored message".
ANALYZE = "analyze"

#: What else commits with a message's analysis: called with the saving transaction and the message id.
AfterAnalysis = Callable[[Transaction, int], object]
#: One finished analysis waiting to be saved: the message, its outcome, and what commits with it.
AnalysisToSave = tuple[int, AnalysisOutcome, AfterAnalysis | None]

#: How many earlier messages of a thread go to the analyzer as context.
THREAD_CONTEXT_MESSAGES = 5


@dataclass
class StoredMessage:
    id: int
    created: bool


class MessagePipeline:
    """Stores inbound messages and analyzes the pending ones."""

    def __init__(
        self,
        engine: Engine,
        analyzer: Analyzer,
        max_text_chars: int = 20_000,
        *,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
        decision_order: Callable[[Transaction, list[int]], list[int]] | None = None,
        on_deleted: Callable[[Transaction, int], object] | None = None,
    ) -> None:
        self.engine = engine
        self.analyzer = analyzer
        self.max_text_chars = max_text_chars
        #: Where blocking calls of the analysis path run (see bot/runtime/threads.py).
        self.offload = offload
        #: The order in which a saving transaction runs its `then` hooks (the alert service's
        #: `decision_order`, which keeps alert locks in one order); message id order without it.
        self.decision_order = decision_order
        #: Runs in the transaction that erases a message the customer deleted (the alert service's
        #: `follow_deletion_in`: the message leaves its alerts).
        self.on_deleted = on_deleted
        self._arrivals: GroupCommit[InboundMessage, StoredMessage] = GroupCommit(self.store_batch)
        # The worker analyzes one message per item, many at once: their reads and their saves are
        # batched the same way, so each costs a share of a transaction instead of its own (on
        # PostgreSQL, every round trip hands the GIL back and waits to retake it).
        self._loads: GroupCommit[int, AnalysisRequest | None] = GroupCommit(
            self._load_batch, max_batch=200, offload=self._in_background
        )
        self._saves: GroupCommit[AnalysisToSave, bool] = GroupCommit(
            self._save_batch, max_batch=200, offload=self._in_background
        )

    async def _in_background(self, function, *args):
        return await self.offload(function, *args)

    def store(self, inbound: InboundMessage) -> StoredMessage:
        """Store (idempotently) and return at once; analysis happens later."""
        result = self.store_batch([inbound])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    async def store_durably(self, inbound: InboundMessage) -> StoredMessage:
        """`store` for a request that acknowledges once the message is committed.

        Messages arriving together share one transaction (bot/runtime/group_commit.py)."""
        return await self._arrivals.submit(inbound)

    def store_batch(self, inbound: Sequence[InboundMessage]) -> list[StoredMessage | BaseException]:
        """Store each message in one transaction; a message that fails fails alone."""
        results: list[StoredMessage | BaseException] = [RuntimeError("not stored")] * len(inbound)
        # Every process takes row locks in the same order (the unique key's), so two processes
        # storing the same redelivered messages wait for each other instead of deadlocking.
        order = sorted(range(len(inbound)), key=lambda i: message_key(inbound[i]))
        # Urgent: the platform's acknowledgement waits on this write, the worker's writes need not.
        # No savepoint around the batch (two more round trips on every acknowledgement): when it
        # fails, the whole transaction is rolled back and the messages are stored one by one.
        try:
            with urgent_transaction(self.engine) as tx:
                stored = store_messages(tx, [inbound[i] for i in order], ANALYZE)
            for index, (message_id, created) in zip(order, stored, strict=True):
                results[index] = StoredMessage(id=message_id, created=created)
            return results
        except Exception:  # noqa: BLE001 - one bad message must not fail the others: one by one
            log.info("storing %s messages together failed; storing them one by one", len(inbound))
        with urgent_transaction(self.engine) as tx:
            for index in order:
                results[index] = self._store_one(tx, inbound[index])
        return results

    @staticmethod
    def _store_one(tx: Transaction, item: InboundMessage) -> StoredMessage | BaseException:
        # Its own savepoint (a deadlock's victim is tried again there): a failure fails this message alone.
        try:
            message_id, created = store_in_savepoint(tx, item, ANALYZE)
        except Exception as exc:  # noqa: BLE001 - handed to that message's caller
            return exc
        return StoredMessage(id=message_id, created=created)

    def replace_text(
        self, platform: str, place_key: str, external_id: str, text: str | None, tenant: str = DEFAULT_TENANT
    ) -> int | None:
        """An edit (new text, analyzed again) or a delete (text None, erased) of the tenant's message;
        returns the message id."""
        with urgent_transaction(self.engine) as tx:
            message = find_message(tx, tenant, platform, place_key, external_id)
            if message is None:
                return None
            # Either way its old reading no longer holds, and storage forgets its signals.
            if text is None:
                erase_deleted(tx, message.id)  # its quotes and draft reply go with it
                if self.on_deleted is not None:
                    self.on_deleted(tx, message.id)  # its alerts follow, in this commit
            else:
                # A customer's message is analyzed again; a staff message never is.
                change_text(tx, message.id, text, ANALYZE if message.is_customer else None)
            return message.id

    def store_many(self, inbound: list[InboundMessage], chunk: int = 1000) -> list[StoredMessage]:
        """Store a batch (an import), a transaction per chunk; idempotent like `store`."""
        stored: list[StoredMessage] = []
        for start in range(0, len(inbound), chunk):
            # Urgent too: in the server this is /ingest, whose caller waits for the commit.
            with urgent_transaction(self.engine) as tx:
                # In the given order (rows take their ids in it); one statement per table.
                stored.extend(
                    StoredMessage(id=message_id, created=created)
                    for message_id, created in store_messages(tx, inbound[start : start + chunk], ANALYZE)
                )
        return stored

    def pending_ids(self, limit: int = 100) -> list[int]:
        with transaction(self.engine) as tx:
            return pending_message_ids(tx, limit)

    def _load_requests(self, message_ids: list[int]) -> dict[int, AnalysisRequest]:
        """Requests for the given messages that are still pending; invalid texts are marked so."""
        requests: dict[int, AnalysisRequest] = {}
        invalid: dict[int, str] = {}
        # Reading needs no writer; only a text that cannot be analyzed is written back.
        with read_transaction(self.engine) as tx:
            messages = messages_by_ids(tx, message_ids)
            for message in sorted(messages, key=lambda m: m.id):
                message_id = message.id
                if message.status != "pending":
                    continue
                try:
                    text = clean_text(message.text or "", self.max_text_chars)
                except InvalidText as exc:
                    log.info("message %s not analyzable: %s", message_id, exc)
                    invalid[message_id] = str(exc)
                    continue
                context = self._thread_context(tx, message)
                requests[message_id] = AnalysisRequest(text=text, context=context)
        if invalid:
            with transaction(self.engine) as tx:
                for message_id, reason in invalid.items():
                    pending = message_by_id(tx, message_id)
                    if pending is not None and pending.status == "pending":
                        mark_invalid(tx, message_id, reason)
        return requests

    @staticmethod
    def _thread_context(tx: Transaction, message: MessageInfo) -> tuple[str, ...]:
        if not message.thread_key or message.thread_key == message.external_id:
            return ()  # not in a thread, or its first message: nothing came before it (and no query)
        earlier = earlier_in_thread(tx, message, THREAD_CONTEXT_MESSAGES)
        return tuple(text for text in earlier if text)

    def load_requests(self, message_ids: list[int]) -> dict[int, AnalysisRequest]:
        """What the analyzer gets for each of these messages still pending (text and thread context)."""
        return self._load_requests(message_ids)

    def save_outcomes(self, outcomes: dict[int, AnalysisOutcome]) -> set[int]:
        """Store analyses of pending messages (the CLI's way: nothing is decided with them); the ids
        stored (a message analyzed or erased meanwhile keeps what it has)."""
        if not outcomes:
            return set()
        batch = [(message_id, outcome, None) for message_id, outcome in outcomes.items()]
        saved = self._save_together(batch)
        return {message_id for (message_id, _, _), done in zip(batch, saved, strict=True) if done}

    def _load_batch(self, message_ids: Sequence[int]) -> list[AnalysisRequest | None]:
        requests = self._load_requests(list(message_ids))
        return [requests.get(message_id) for message_id in message_ids]

    def _save(self, outcomes: dict[int, AnalysisOutcome]) -> None:
        self._save_together([(message_id, outcome, None) for message_id, outcome in outcomes.items()])

    def _save_batch(self, batch: Sequence[AnalysisToSave]) -> Sequence[bool | BaseException]:
        """Save analyses together; if that fails, one by one, so one bad save fails alone."""
        try:
            return self._save_together(batch)
        except Exception:  # noqa: BLE001 - e.g. a deadlock between two batches' alert locks
            log.info("saving %s analyses together failed; saving them one by one", len(batch))
        results: list[bool | BaseException] = []
        for item in batch:
            try:
                results.extend(self._save_together([item]))
            except Exception as exc:  # noqa: BLE001 - handed to that message's worker item
                results.append(exc)
        return results

    def _save_together(self, batch: Sequence[AnalysisToSave]) -> list[bool]:
        """Store the analyses, and what commits with each, in one transaction; per item, whether it
        was saved (False: the message was erased, or another worker finished it first)."""
        with transaction(self.engine) as tx:
            # Locked (PostgreSQL), in id order like `tonewatch forget`: a forget running meanwhile
            # either sees these analyses and erases them, or commits first and is seen here.
            ids = sorted({message_id for message_id, _, _ in batch})
            locked = lock_messages(tx, ids)
            saved: dict[int, tuple[AnalysisOutcome, AfterAnalysis | None]] = {}
            for message_id, outcome, then in batch:
                message = locked.get(message_id)
                if message is not None and message.status == "pending" and message_id not in saved:
                    saved[message_id] = (outcome, then)
            # Storage keeps these messages and their analyses in the transaction: the decisions
            # below read them again without a query.
            recorded = [(message_id, outcome) for message_id, (outcome, _) in saved.items()]
            if recorded:
                record_analyses(tx, recorded)
            # After every message lock is taken (alerts are locked second, always, in one order).
            order = sorted(saved)
            if self.decision_order is not None and any(then for _, then in saved.values()):
                order = self.decision_order(tx, order)
            for message_id in order:
                then = saved[message_id][1]
                if then is not None:
                    then(tx, message_id)
            # The queue entries for these are finished in the same commit (the CLI has no worker).
            mark_done(tx, ANALYZE, [str(i) for i in ids])
        return [message_id in saved for message_id, _, _ in batch]

    async def analyze_messages(
        self, message_ids: list[int], concurrency: int = 8
    ) -> dict[int, AnalysisOutcome]:
        """Analyze the given stored messages that are still pending, and store the results (the CLI's
        way: nothing is decided with them)."""
        requests = await self.offload(self._load_requests, message_ids)
        # Read together: the offline analyzer reads a batch several times faster than one by one.
        analyzed = await self.analyzer.analyze_many(list(requests.values()), concurrency)
        outcomes = dict(zip(requests, analyzed, strict=True))
        await self.offload(self._save, outcomes)
        return outcomes

    async def analyze_message(
        self, message_id: int, then: AfterAnalysis | None = None
    ) -> AnalysisOutcome | None:
        """Analyze one stored message (the worker's way). Its read and its save share a transaction
        with others' finishing at the same time; `then(tx, message_id)` runs in the saving
        transaction (the alert decision): both commit, or neither."""
        request = await self._loads.submit(message_id)
        if request is None:
            return None
        outcome = await self.analyzer.analyze(request)
        await self._saves.submit((message_id, outcome, then))
        return outcome

    async def analyze_pending(self, batch: int = 200) -> int:
        """Analyze every pending message; returns how many were analyzed."""
        done = 0
        while ids := await self.offload(self.pending_ids, batch):
            outcomes = await self.analyze_messages(ids)
            done += len(outcomes)
            if not outcomes and ids == await self.offload(self.pending_ids, batch):
                break  # nothing could progress; never spin
        return done
