"""Alert rows, where their cards and thread lines were posted, corrections people made on them, and
the replies sent from them. `bot/alerts/` decides what happens to an alert; these read and write it.

Where a transaction locks both a customer message and an alert, it takes the message first
(`carries_erased_words`), then the alert (`locked_alert`, `locked_open_alert`, `alerts_counting` in
storage/alert_members.py): every writer takes them in that order, so two never deadlock.

An alert is handed out as an `AlertInfo`; the core writes its changes with `save_alert`, which
writes what the core changed since this transaction read the alert (storage keeps the row it read
in the transaction, `storage.db.hold`), as the ORM would have: a column the core did not change
keeps what another writer may have put there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Tx, hold, orm, session_scope
from storage.models import Alert, AlertPost, Correction, CustomerMessage, Place
from storage.records import AlertInfo, from_row


def _alert_info(row: Alert) -> AlertInfo:
    return from_row(AlertInfo, row)


def _held(tx: Tx, row: Alert | None) -> AlertInfo | None:
    """The row's record, the row kept in the transaction for `save_alert`."""
    if row is None:
        return None
    hold(tx, [row])
    return _alert_info(row)


def alert_by_id(tx: Tx, alert_id: int) -> AlertInfo | None:
    session = orm(tx)
    return _held(session, session.get(Alert, alert_id))


def locked_alert(tx: Tx, alert_id: int) -> AlertInfo | None:
    """The alert, locked: a `forget` deleting it waits for this transaction, or is seen here."""
    session = orm(tx)
    return _held(session, session.exec(select(Alert).where(Alert.id == alert_id).with_for_update()).first())


def locked_open_alert(tx: Tx, open_key: str) -> AlertInfo | None:
    """The open alert holding `open_key`, locked until commit (PostgreSQL): two messages joining it
    at once, in one process or two, would otherwise both write message_count + 1 over the same old
    value and lose one."""
    session = orm(tx)
    return _held(session, _locked_open_row(session, open_key))


def _locked_open_row(tx: Tx, open_key: str) -> Alert | None:
    session = orm(tx)
    return session.exec(select(Alert).where(Alert.open_key == open_key).with_for_update()).first()


def insert_open_alert(
    tx: Tx,
    *,
    tenant: str,
    account_id: int | None,
    message_id: int | None,
    analysis_id: int | None,
    severity: str,
    issue_key: str,
    open_key: str,
    now: datetime,
) -> tuple[AlertInfo, bool]:
    """Insert a new open alert raised at `now` by the message's analysis; when another transaction
    opened one with the same `open_key` first, that alert instead, locked. Returns the alert holding
    the key and whether it is the new one."""
    session = orm(tx)
    alert = Alert(
        tenant=tenant,
        account_id=account_id,
        message_id=message_id,
        analysis_id=analysis_id,
        severity=severity,
        issue_key=issue_key,
        open_key=open_key,
        status="open",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        existing = _locked_open_row(session, open_key)
        assert existing is not None
        hold(session, [existing])
        return _alert_info(existing), False
    hold(session, [alert])
    return _alert_info(alert), True


#: What `save_alert` may write: every field of `AlertInfo` but the id.
_ALERT_FIELDS = tuple(field.name for field in fields(AlertInfo) if field.name != "id")


def save_alert(tx: Tx, alert: AlertInfo) -> None:
    """Write the alert's fields that differ from the alert as this transaction read it (a record the
    core changed with `dataclasses.replace`) now, inside the caller's transaction. Raises LookupError
    when this transaction has not read the alert: what to compare with would be unknown."""
    session = orm(tx)
    row = session.identity_map.get(session.identity_key(Alert, alert.id))
    if not isinstance(row, Alert):
        raise LookupError(f"alert {alert.id} was not read in this transaction")
    for name in _ALERT_FIELDS:
        value = getattr(alert, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
    session.add(row)
    session.flush()


def alerts_in_states(tx: Tx, states: Sequence[str], account_id: int | None = None) -> list[AlertInfo]:
    """The alerts in these states (of the account, when given), by id."""
    session = orm(tx)
    query = select(Alert).where(col(Alert.status).in_(states))
    if account_id is not None:
        query = query.where(Alert.account_id == account_id)
    return [_alert_info(row) for row in session.exec(query.order_by(col(Alert.id))).all()]


def carries_erased_words(tx: Tx, message_id: int | None) -> bool:
    """Whether the message a post carries is gone or has lost its text (erased, deleted in the chat).

    Locked (shared, on PostgreSQL), to be taken before the alert's lock: a `forget` erasing it either
    waits for this transaction, which it then sees, or has committed and is seen here."""
    session = orm(tx)
    if message_id is None:
        return False
    text = session.exec(
        select(CustomerMessage.text).where(CustomerMessage.id == message_id).with_for_update(read=True)
    ).first()
    return text is None


def add_alert_post(
    tx: Tx, alert_id: int, platform: str, channel: str, ref: str, message_id: int | None = None
) -> None:
    """Keep a post of the alert (its card, or a line in its thread carrying `message_id`'s words), so
    `forget` can take it back."""
    session = orm(tx)
    post = AlertPost(alert_id=alert_id, platform=platform, channel=channel, ref=ref, message_id=message_id)
    session.add(post)


def place_sensitivity(tx: Tx, tenant: str, platform: str, place_key: str) -> str | None:
    """The sensitivity set on the tenant's place (None: the place is not registered)."""
    session = orm(tx)
    query = select(Place).where(
        Place.tenant == tenant, Place.platform == platform, Place.external_id == place_key
    )
    place = session.exec(query).first()
    return place.sensitivity if place else None


def add_correction(
    engine: Engine,
    alert_id: int,
    corrected_by: str,
    label: str | None,
    urgency: str | None,
    emotions: list[str],
    note: str,
) -> bool:
    """Store what the analysis of the alert's newest message should have said, against that analysis;
    False when the alert is gone."""
    with session_scope(engine) as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.message_id is None:
            return False
        session.add(
            Correction(
                message_id=alert.message_id,
                analysis_id=alert.analysis_id,
                alert_id=alert_id,
                corrected_by=corrected_by[:200],
                label=label,
                urgency=urgency,
                emotions=emotions,
                note=note[:2000],
            )
        )
        return True


def delete_reply(engine: Engine, platform: str, place_key: str, external_id: str) -> None:
    """Forget a staff reply recorded before it was sent (the send failed)."""
    with session_scope(engine) as session:
        session.exec(
            delete(CustomerMessage).where(
                col(CustomerMessage.platform) == platform,
                col(CustomerMessage.place_key) == place_key,
                col(CustomerMessage.external_id) == external_id,
            )
        )
