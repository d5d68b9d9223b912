"""The CRM sync's reads and writes: accounts to match, what was pushed, the tasks made for alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from storage.alerts import _alert_info
from storage.db import Tx, orm
from storage.models import Account, Alert, CrmPush, CrmTask, CustomerMessage
from storage.queries import _account_info
from storage.records import AccountInfo, AlertInfo, CrmTaskInfo, from_row
from storage.types import utcnow


def all_accounts(tx: Tx) -> list[AccountInfo]:
    """Every account of every tenant, by id."""
    session = orm(tx)
    return [_account_info(row) for row in session.exec(select(Account).order_by(col(Account.id))).all()]


def last_negative_at(tx: Tx, account_ids: list[int], at_most: float) -> dict[int, datetime]:
    """Each account's newest customer message scored at or below `at_most`."""
    session = orm(tx)
    if not account_ids:
        return {}
    rows = session.exec(
        select(CustomerMessage.account_id, func.max(CustomerMessage.created_at))
        .where(
            col(CustomerMessage.account_id).in_(account_ids),
            col(CustomerMessage.is_customer),
            col(CustomerMessage.score) <= at_most,
        )
        .group_by(col(CustomerMessage.account_id))
    ).all()
    # max() keeps the column's type, so the values come back as aware UTC datetimes.
    return {account_id: moment for account_id, moment in rows if account_id is not None and moment}


def pushed_fingerprint(tx: Tx, account_id: int, system: str) -> str | None:
    session = orm(tx)
    row = session.exec(
        select(CrmPush).where(CrmPush.account_id == account_id, CrmPush.system == system)
    ).first()
    return row.fingerprint if row else None


def record_push(tx: Tx, account_id: int, system: str, fingerprint: str) -> None:
    session = orm(tx)
    row = session.exec(
        select(CrmPush).where(CrmPush.account_id == account_id, CrmPush.system == system)
    ).first()
    if row is None:
        row = CrmPush(account_id=account_id, system=system, fingerprint=fingerprint)
    row.fingerprint, row.pushed_at = fingerprint, utcnow()
    session.add(row)


def _task_row(tx: Tx, alert_id: int, system: str) -> CrmTask | None:
    session = orm(tx)
    return session.exec(select(CrmTask).where(CrmTask.alert_id == alert_id, CrmTask.system == system)).first()


def task_for(tx: Tx, alert_id: int, system: str) -> CrmTaskInfo | None:
    """The task made in `system` for the alert, if one was."""
    row = _task_row(tx, alert_id, system)
    return from_row(CrmTaskInfo, row) if row is not None else None


def record_task(tx: Tx, alert_id: int, system: str, task_id: str) -> None:
    session = orm(tx)
    session.add(CrmTask(alert_id=alert_id, system=system, task_id=task_id))


def close_task_record(tx: Tx, alert_id: int, system: str) -> None:
    session = orm(tx)
    row = _task_row(session, alert_id, system)
    if row is not None:
        row.status = "closed"
        session.add(row)


def alert_account(tx: Tx, alert_id: int) -> tuple[AlertInfo, AccountInfo] | None:
    """The alert and its account (None: no such alert, or it has no account)."""
    session = orm(tx)
    alert = session.get(Alert, alert_id)
    if alert is None or alert.account_id is None:
        return None
    account = session.get(Account, alert.account_id)
    return (_alert_info(alert), _account_info(account)) if account is not None else None
