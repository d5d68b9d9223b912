"""Stored messages on their way through the pipeline (`bot.messages.pipeline`): stored one by one,
edited or deleted by the customer, read for analysis, locked while their analyses are saved.

Plain functions over a Session; the pipeline owns the transactions and decides what happens to a
message. A batch of arrivals is stored by `storage.bulk_store` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from storage.db import Tx, hold, orm
from storage.erasure import scrub_analyses
from storage.inbound import InboundMessage
from storage.models import CustomerMessage
from storage.queries import _clear_signals, _message, _message_info, store_message
from storage.queue import enqueue, requeue
from storage.records import MessageInfo

log = logging.getLogger(__name__)

#: PostgreSQL's deadlock_detected and serialization_failure: the statement can simply be tried again.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
DEADLOCK_RETRIES = 3


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


def store_with_work(tx: Tx, item: InboundMessage, analyze_kind: str) -> tuple[int, bool]:
    """Store a message once (`store_message`) and, when it is new and waits for analysis, queue its
    `analyze_kind` work item. Returns (the message id, whether it was new)."""
    session = orm(tx)
    message, created = store_message(session, item)
    session.flush()
    if created and message.status == "pending":
        enqueue(session, analyze_kind, str(message.id))
    return message.id, created


def store_in_savepoint(tx: Tx, item: InboundMessage, analyze_kind: str) -> tuple[int, bool]:
    """`store_with_work` in a savepoint of its own: when it fails, only this message is rolled back
    (the error is raised). A statement PostgreSQL picked as a deadlock's victim (e.g. two processes
    creating the same new account) is tried again: its savepoint is rolled back, and trying again
    succeeds."""
    session = orm(tx)
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:
            with session.begin_nested():
                return store_with_work(session, item, analyze_kind)
        except DBAPIError as exc:
            if _sqlstate(exc) not in RETRYABLE_SQLSTATES or attempt == DEADLOCK_RETRIES:
                raise
            log.info("storing %s hit %s; trying again", item.external_id, _sqlstate(exc))
    raise AssertionError("unreachable")


def change_text(tx: Tx, message_id: int, text: str, analyze_kind: str | None) -> None:
    """The customer edited the message: its new text, and its old reading's signals forgotten (its
    concerns must not count in top concerns or incidents). With `analyze_kind`, it waits for analysis
    again (its work item queued again)."""
    session = orm(tx)
    message = _message(session, message_id)
    message.text = text
    _clear_signals(session, message)
    if analyze_kind is not None:
        message.status = "pending"
        session.flush()
        requeue(session, analyze_kind, str(message.id))
    session.add(message)


def erase_deleted(tx: Tx, message_id: int) -> None:
    """The customer deleted the message: its text and signals go, and its analyses' quotes and draft
    reply with them; written out (flushed), so what follows in the transaction sees it deleted."""
    session = orm(tx)
    message = _message(session, message_id)
    message.text = None
    _clear_signals(session, message)
    message.status = "deleted"
    scrub_analyses(session, [message_id])
    session.add(message)
    session.flush()


def pending_message_ids(tx: Tx, limit: int) -> list[int]:
    """The ids of up to `limit` messages waiting for analysis, oldest id first."""
    session = orm(tx)
    rows = session.exec(
        select(CustomerMessage.id)
        .where(CustomerMessage.status == "pending")
        .order_by(col(CustomerMessage.id))
        .limit(limit)
    ).all()
    return [row for row in rows if row is not None]


def messages_by_ids(tx: Tx, message_ids: Iterable[int]) -> list[MessageInfo]:
    """The stored messages with these ids (in no particular order; an unknown id is left out)."""
    session = orm(tx)
    query = select(CustomerMessage).where(col(CustomerMessage.id).in_(set(message_ids)))
    return [_message_info(row) for row in session.exec(query).all()]


def earlier_in_thread(tx: Tx, message: MessageInfo, limit: int) -> list[str | None]:
    """The texts of the `limit` messages of the message's thread (same tenant and place) created up to
    it, oldest first (None: a text erased)."""
    session = orm(tx)
    earlier = session.exec(
        select(CustomerMessage.text)
        .where(
            CustomerMessage.tenant == message.tenant,
            CustomerMessage.thread_key == message.thread_key,
            CustomerMessage.place_key == message.place_key,
            CustomerMessage.id != message.id,
            CustomerMessage.created_at <= message.created_at,
        )
        .order_by(col(CustomerMessage.created_at).desc())
        .limit(limit)
    ).all()
    return list(reversed(earlier))


def lock_messages(tx: Tx, message_ids: Sequence[int]) -> dict[int, MessageInfo]:
    """The messages with these ids by id, locked until the commit (`FOR UPDATE` on PostgreSQL), in id
    order: every locker takes them in one order. Kept in the transaction: recording their analyses
    (`record_analyses`) and deciding their alerts read them without another query."""
    session = orm(tx)
    rows = session.exec(
        select(CustomerMessage)
        .where(col(CustomerMessage.id).in_(list(message_ids)))
        .order_by(col(CustomerMessage.id))
        .with_for_update()
    ).all()
    hold(session, rows)
    return {row.id or 0: _message_info(row) for row in rows}
