"""Which customer messages an alert counts (`alert_messages`): added as messages open or join an
alert, taken off when the customer edits a message into something else or deletes it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import select as core_select
from sqlmodel import col, select

from storage.alerts import _alert_info
from storage.db import Tx, hold, insert_for, orm
from storage.models import Alert, AlertMessage, AlertPost, CustomerMessage, table_of
from storage.queries import _message_info
from storage.records import AlertInfo, MessageInfo

_AM = table_of(AlertMessage)


def add_member(tx: Tx, alert_id: int, message_id: int) -> None:
    """Count the message on the alert (once, however often it is decided again)."""
    session = orm(tx)
    session.execute(
        insert_for(session, _AM)
        .values(alert_id=alert_id, message_id=message_id)
        .on_conflict_do_nothing(index_elements=["alert_id", "message_id"])
    )


def counted_anywhere(tx: Tx, message_id: int) -> bool:
    """Whether any alert counts the message (one indexed look-up: most messages are on none)."""
    session = orm(tx)
    found = session.execute(core_select(_AM.c.id).where(_AM.c.message_id == message_id).limit(1)).first()
    return found is not None


def counted_among(tx: Tx, message_ids: Sequence[int]) -> set[int]:
    """Those of the messages that some alert counts."""
    session = orm(tx)
    found: set[int] = set()
    ids = list(message_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            row[0]
            for row in session.execute(core_select(_AM.c.message_id).where(_AM.c.message_id.in_(chunk)))
        )
    return found


def is_member(tx: Tx, alert_id: int, message_id: int) -> bool:
    session = orm(tx)
    found = session.execute(
        core_select(_AM.c.id).where(_AM.c.alert_id == alert_id, _AM.c.message_id == message_id)
    ).first()
    return found is not None


def remove_member(tx: Tx, alert_id: int, message_id: int) -> None:
    session = orm(tx)
    session.execute(delete(_AM).where(_AM.c.alert_id == alert_id, _AM.c.message_id == message_id))


def alerts_counting(tx: Tx, message_id: int, states: tuple[str, ...]) -> list[AlertInfo]:
    """The alerts in these states that count the message, locked, by id (kept in the transaction for
    `save_alert`)."""
    session = orm(tx)
    counted = core_select(_AM.c.alert_id).where(_AM.c.message_id == message_id)
    query = (
        select(Alert)
        .where(col(Alert.status).in_(states), col(Alert.id).in_(counted))
        .order_by(col(Alert.id))
        .with_for_update()
    )
    rows = session.exec(query).all()
    hold(session, rows)
    return [_alert_info(row) for row in rows]


def remaining_members(tx: Tx, alert_id: int) -> list[MessageInfo]:
    """The messages still counted on the alert that still have words, oldest first."""
    session = orm(tx)
    query = (
        select(CustomerMessage)
        .join(AlertMessage, col(AlertMessage.message_id) == CustomerMessage.id)
        .where(col(AlertMessage.alert_id) == alert_id, col(CustomerMessage.text).is_not(None))
        .order_by(col(CustomerMessage.id))
    )
    return [_message_info(row) for row in session.exec(query).all()]


def quoted_messages(tx: Tx, alert_id: int) -> set[int]:
    """The messages a post in the alert's thread already carries (its draft, its lines)."""
    session = orm(tx)
    query = select(AlertPost.message_id).where(
        AlertPost.alert_id == alert_id, col(AlertPost.message_id).is_not(None)
    )
    return {message_id for message_id in session.exec(query).all() if message_id is not None}
