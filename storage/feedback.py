"""What people said about the alerts: the reads behind the team's own precision (`tonewatch eval --team`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlmodel import col, select

from storage.db import Tx, orm
from storage.models import Alert, Correction


@dataclass(frozen=True)
class AlertFeedback:
    severity: str
    status: str
    #: Someone pressed "Not accurate" on it.
    corrected: bool


def alert_feedback(tx: Tx, start: datetime, end: datetime) -> list[AlertFeedback]:
    """Every alert raised in [start, end): its severity, its status and whether it was corrected."""
    session = orm(tx)
    corrected = exists().where(col(Correction.alert_id) == Alert.id)
    rows = session.exec(
        select(Alert.severity, Alert.status, corrected.label("corrected"))
        .where(col(Alert.created_at) >= start, col(Alert.created_at) < end)
        .order_by(col(Alert.id))
    ).all()
    return [AlertFeedback(severity, status, bool(flag)) for severity, status, flag in rows]
