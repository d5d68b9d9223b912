"""Message Batches of `tonewatch import --batch`: which batch holds which message, durably.

A batch is recorded (with its messages) before it is submitted, and given its API id as soon as the
API accepted it, so a process that dies while waiting leaves behind everything a second run needs to
resume polling the same batch. The rules live in bot/backfill; this module only stores and reads rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import col, select

from storage.db import Tx, orm
from storage.models import ClaudeBatch, ClaudeBatchItem, CustomerMessage, WorkItem
from storage.queue import DONE, PENDING
from storage.types import utcnow

SUBMITTING, IN_PROGRESS, FINISHED = "submitting", "in_progress", "done"


@dataclass(frozen=True)
class BatchItem:
    custom_id: str
    message_id: int
    sent_hash: str


@dataclass(frozen=True)
class OpenBatch:
    row_id: int
    batch_id: str | None
    status: str
    request_count: int


def open_batches(tx: Tx) -> list[OpenBatch]:
    """Batches not yet done, oldest first."""
    session = orm(tx)
    rows = session.exec(
        select(ClaudeBatch).where(ClaudeBatch.status != FINISHED).order_by(col(ClaudeBatch.id))
    ).all()
    return [OpenBatch(row.id or 0, row.batch_id, row.status, row.request_count) for row in rows]


def batch_items(tx: Tx, row_id: int) -> list[BatchItem]:
    session = orm(tx)
    rows = session.exec(
        select(ClaudeBatchItem)
        .where(ClaudeBatchItem.batch_row_id == row_id)
        .order_by(col(ClaudeBatchItem.id))
    ).all()
    return [BatchItem(row.custom_id, row.message_id, row.sent_hash) for row in rows]


def held_message_ids(tx: Tx) -> set[int]:
    """Messages some batch not yet done is analyzing."""
    session = orm(tx)
    rows = session.exec(
        select(ClaudeBatchItem.message_id)
        .join(ClaudeBatch, col(ClaudeBatch.id) == ClaudeBatchItem.batch_row_id)
        .where(ClaudeBatch.status != FINISHED)
    ).all()
    return set(rows)


def pending_message_ids(tx: Tx, after_id: int, limit: int) -> list[int]:
    """Ids of messages waiting for analysis, above `after_id`, in id order."""
    session = orm(tx)
    rows = session.exec(
        select(CustomerMessage.id)
        .where(CustomerMessage.status == "pending", col(CustomerMessage.id) > after_id)
        .order_by(col(CustomerMessage.id))
        .limit(limit)
    ).all()
    return [row for row in rows if row is not None]


def record_batch(tx: Tx, model: str, items: Sequence[BatchItem], work_kind: str) -> int:
    """Record a batch about to be submitted, with its messages; their queued analyses are taken off
    the work queue (the batch answers them; a running `tonewatch run` must not analyze them too)."""
    session = orm(tx)
    batch = ClaudeBatch(model=model, request_count=len(items))
    session.add(batch)
    session.flush()
    row_id = batch.id or 0
    session.add_all(
        ClaudeBatchItem(batch_row_id=row_id, **item.__dict__) for item in items
    )
    subjects = [str(i.message_id) for i in items]
    for start in range(0, len(subjects), 1000):
        session.exec(
            update(WorkItem)
            .where(col(WorkItem.kind) == work_kind, col(WorkItem.subject).in_(subjects[start : start + 1000]))
            .values(status=DONE)
        )
    return row_id


def set_batch_id(tx: Tx, row_id: int, batch_id: str) -> None:
    """The API accepted the batch: remember its id (from now on a second run polls it)."""
    session = orm(tx)
    session.exec(
        update(ClaudeBatch)
        .where(col(ClaudeBatch.id) == row_id)
        .values(batch_id=batch_id, status=IN_PROGRESS, updated_at=utcnow())
    )


def _requeue(tx: Tx, message_ids: Sequence[int], work_kind: str) -> None:
    """Put these messages' analyses back on the work queue (`tonewatch run` analyzes them)."""
    session = orm(tx)
    subjects = [str(message_id) for message_id in message_ids]
    for start in range(0, len(subjects), 1000):
        session.exec(
            update(WorkItem)
            .where(col(WorkItem.kind) == work_kind, col(WorkItem.subject).in_(subjects[start : start + 1000]))
            .values(status=PENDING, run_after=utcnow())
        )


def forget_batch(tx: Tx, row_id: int, work_kind: str) -> None:
    """A submission the API refused: nothing is waiting for it; its messages go back on the work queue."""
    session = orm(tx)
    _requeue(session, [item.message_id for item in batch_items(session, row_id)], work_kind)
    session.exec(delete(ClaudeBatchItem).where(col(ClaudeBatchItem.batch_row_id) == row_id))
    session.exec(delete(ClaudeBatch).where(col(ClaudeBatch.id) == row_id))


def finish_batch(tx: Tx, row_id: int, work_kind: str) -> None:
    """Every answer of the batch is stored: keep the batch's record, drop its per-message rows. A message
    still pending (edited since it was sent) goes back on the work queue."""
    session = orm(tx)
    still_pending = session.exec(
        select(CustomerMessage.id)
        .join(ClaudeBatchItem, col(ClaudeBatchItem.message_id) == CustomerMessage.id)
        .where(ClaudeBatchItem.batch_row_id == row_id, CustomerMessage.status == "pending")
    ).all()
    _requeue(session, [message_id for message_id in still_pending if message_id is not None], work_kind)
    session.exec(delete(ClaudeBatchItem).where(col(ClaudeBatchItem.batch_row_id) == row_id))
    session.exec(
        update(ClaudeBatch).where(col(ClaudeBatch.id) == row_id).values(status=FINISHED, updated_at=utcnow())
    )
