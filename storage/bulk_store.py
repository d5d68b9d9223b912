"""Storing a batch of arriving messages in a handful of statements, whatever its size.

`bot/runtime/group_commit.py` hands over the messages that arrived together. Stored one
by one, each costs about ten round trips (look-up, savepoints, inserts); on
PostgreSQL each round trip hands the GIL back and waits to take it again, and at
50 messages/s the acknowledgements queued for seconds (docs/benchmarks.md). Here:
one INSERT … ON CONFLICT DO NOTHING … RETURNING, one look-up of those it did not
insert (redeliveries, stored earlier or by another process a moment ago), one
INSERT of the new ones' work items — the same result as `store_message` per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, tuple_

from storage.db import Tx, insert_for, orm
from storage.inbound import InboundMessage
from storage.models import CustomerMessage, WorkItem, table_of
from storage.queries import get_or_create_account
from storage.types import utcnow

Key = tuple[str, str, str, str]

_MESSAGES = table_of(CustomerMessage)
_WORK = table_of(WorkItem)
#: The message's unique key (storage/models.py), in `Key`'s order.
_KEY_COLUMNS = (_MESSAGES.c.tenant, _MESSAGES.c.platform, _MESSAGES.c.place_key, _MESSAGES.c.external_id)


def message_key(item: InboundMessage) -> Key:
    return (item.tenant, item.platform, item.place_key or "", item.external_id)


def store_messages(
    tx: Tx, inbound: Sequence[InboundMessage], analyze_kind: str
) -> list[tuple[int, bool]]:
    """(message id, whether it was new) per item, in order; new customer messages get `analyze_kind` work."""
    session = orm(tx)
    keys = [message_key(item) for item in inbound]
    # No look-up first: the INSERT says which are new, and only the others are looked up after.
    stored: dict[Key, int] = {}
    accounts = {
        (tenant, name): get_or_create_account(session, name, tenant).id
        for tenant, name in {(item.tenant, item.account) for item in inbound if item.account}
    }
    new: dict[Key, dict[str, Any]] = {}
    now = utcnow()
    for key, item in zip(keys, inbound, strict=True):
        if key in new:
            continue  # the same message twice in this batch
        row = CustomerMessage(
            tenant=item.tenant,
            platform=item.platform,
            source_kind=str(item.source_kind),
            place_key=item.place_key or "",
            external_id=item.external_id,
            account_id=accounts.get((item.tenant, item.account)) if item.account else None,
            author=item.author,
            author_email=item.author_email,
            is_customer=item.is_customer,
            text=item.text,
            thread_key=item.thread_key,
            source_score=item.source_score,
            created_at=item.created_at,
            received_at=now,
            status="pending" if item.is_customer else "skipped",
        )
        new[key] = row.model_dump(exclude={"id"})
    created: set[Key] = set()
    if new:
        # The rows as parameters of one statement (SQLAlchemy's "insertmanyvalues"), not as a VALUES
        # list in the statement: then it is compiled once, not once per batch size, and no cache key
        # is computed over every value of every row.
        inserted = session.execute(
            insert_for(session, _MESSAGES)
            .on_conflict_do_nothing(index_elements=["tenant", "platform", "place_key", "external_id"])
            .returning(_MESSAGES.c.id, *_KEY_COLUMNS),
            list(new.values()),
        ).all()
        for message_id, *columns in inserted:
            stored[tuple(columns)] = message_id
            created.add(tuple(columns))
        # Not returned: stored before (a redelivery), perhaps by another process a moment ago.
        stored.update(_ids_of(session, set(new) - created))
        queued = [
            {
                "kind": analyze_kind,
                "subject": str(stored[key]),
                "status": "pending",
                "attempts": 0,
                "run_after": now,
            }
            for key in created
            if new[key]["status"] == "pending"
        ]
        if queued:
            session.execute(
                insert_for(session, _WORK).on_conflict_do_nothing(index_elements=["kind", "subject"]),
                queued,
            )
    results: list[tuple[int, bool]] = []
    for key in keys:
        results.append((stored[key], key in created))
        created.discard(key)  # the same message twice in one batch: the second is a redelivery
    return results


def _ids_of(tx: Tx, keys: set[Key]) -> dict[Key, int]:
    session = orm(tx)
    if not keys:
        return {}
    rows = session.execute(
        select(_MESSAGES.c.id, *_KEY_COLUMNS).where(tuple_(*_KEY_COLUMNS).in_(sorted(keys)))
    ).all()
    return {tuple(key): message_id for message_id, *key in rows}
