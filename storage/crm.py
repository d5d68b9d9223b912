"""The CRM sync's reads and writes: accounts to match, what was pushed, the tasks made for alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Account, Alert, CrmPush, CrmTask, CustomerMessage
from storage.types import utcnow


def all_accounts(session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(col(Account.id))).all())


def last_negative_at(session: Session, account_ids: list[int], at_most: float) -> dict[int, datetime]:
    """Each account's newest customer message scored at or below `at_most`."""
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


def pushed_fingerprint(session: Session, account_id: int, system: str) -> str | None:
    row = session.exec(
        select(CrmPush).where(CrmPush.account_id == account_id, CrmPush.system == system)
    ).first()
    return row.fingerprint if row else None


def record_push(session: Session, account_id: int, system: str, fingerprint: str) -> None:
    row = session.exec(
        select(CrmPush).where(CrmPush.account_id == account_id, CrmPush.system == system)
    ).first()
    if row is None:
        row = CrmPush(account_id=account_id, system=system, fingerprint=fingerprint)
    row.fingerprint, row.pushed_at = fingerprint, utcnow()
    session.add(row)


def task_for(session: Session, alert_id: int, system: str) -> CrmTask | None:
    return session.exec(select(CrmTask).where(CrmTask.alert_id == alert_id, CrmTask.system == system)).first()


def record_task(session: Session, alert_id: int, system: str, task_id: str) -> None:
    session.add(CrmTask(alert_id=alert_id, system=system, task_id=task_id))


def close_task_record(session: Session, alert_id: int, system: str) -> None:
    row = task_for(session, alert_id, system)
    if row is not None:
        row.status = "closed"
        session.add(row)


def alert_account(session: Session, alert_id: int) -> tuple[Alert, Account] | None:
    alert = session.get(Alert, alert_id)
    if alert is None or alert.account_id is None:
        return None
    account = session.get(Account, alert.account_id)
    return (alert, account) if account is not None else None
