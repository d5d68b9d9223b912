"""Hand-built message histories for health, digest and schedule tests.

Messages go through the real write path (`store_message` + `record_analysis`
with an `AnalysisResult`), so the denormalized columns the health SQL reads
are filled exactly as in production.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.analysis.base import AnalysisOutcome
from bot.analysis.contract import AnalysisResult, Concern, Urgency, intensity_for_score, label_for_score
from storage.book import update_account
from storage.db import session_scope
from storage.inbound import InboundMessage, SourceKind
from storage.models import Account, Alert, Correction, CustomerMessage
from storage.queries import get_or_create_account, record_analysis, store_message

_ids = itertools.count(1)


class History:
    """Writes messages relative to `now` (days ago), one transaction per call."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine = engine
        self.now = now

    def account(self, name: str, owner: str | None = None) -> int:
        with session_scope(self.engine) as session:
            account, _ = update_account(session, name, values={"owner": owner})
            return account.id

    def say(
        self,
        account: str,
        days_ago: float,
        score: float,
        text: str | None = None,
        *,
        churn: bool = False,
        expansion: bool = False,
        competitor: bool = False,
        concerns: tuple[str, ...] = (),
        nps: float | None = None,
        place: str = "",
        thread: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A customer message, analyzed with `score` and the given signals; returns its id."""
        created = at or self.now - timedelta(days=days_ago)
        inbound = InboundMessage(
            platform="import",
            external_id=f"m{next(_ids)}",
            text=text or f"message scored {score:+.2f}",
            created_at=created,
            account=account,
            place_key=place,
            thread_key=thread,
            source_kind=SourceKind.nps if nps is not None else SourceKind.chat,
            source_score=nps,
            author="customer",
        )
        result = AnalysisResult(
            score=score,
            label=label_for_score(score),
            intensity=intensity_for_score(score),
            urgency=Urgency.high if score <= -0.6 else Urgency.medium if score <= -0.3 else Urgency.low,
            concerns=[Concern(c) for c in concerns],
            churn_risk=churn,
            expansion=expansion,
            competitor_mentioned=competitor,
            confidence=0.8,
            provider="test",
            model="hand-built",
            prompt_version="test@1",
        )
        with session_scope(self.engine) as session:
            message, _ = store_message(session, inbound)
            record_analysis(session, message.id, AnalysisOutcome(result=result))
            return message.id

    def staff(
        self,
        account: str,
        days_ago: float,
        place: str = "",
        thread: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A reply from our own team (is_customer false)."""
        inbound = InboundMessage(
            platform="import",
            external_id=f"s{next(_ids)}",
            text="Thanks, looking into it now.",
            created_at=at or self.now - timedelta(days=days_ago),
            account=account,
            place_key=place,
            thread_key=thread,
            is_customer=False,
            author="csm",
        )
        with session_scope(self.engine) as session:
            message, _ = store_message(session, inbound)
            return message.id

    def alert(
        self,
        account: str,
        days_ago: float,
        severity: str = "critical",
        open_: bool = True,
        message_id: int | None = None,
        posted: bool = False,
        status: str | None = None,
    ) -> int:
        with session_scope(self.engine) as session:
            account_row = get_or_create_account(session, account)
            key = f"{account_row.id}:{next(_ids)}"
            alert = Alert(
                account_id=account_row.id,
                message_id=message_id,
                severity=severity,
                open_key=key if open_ else None,
                status=status or ("open" if open_ else "resolved"),
                post_channel="C-ALERTS" if posted else None,
                post_ref=f"{next(_ids)}.000100" if posted else None,
                created_at=self.now - timedelta(days=days_ago),
                updated_at=self.now - timedelta(days=days_ago),
            )
            session.add(alert)
            session.flush()
            assert alert.id is not None
            return alert.id

    def correction(self, message_id: int, alert_id: int | None = None, label: str | None = None) -> None:
        with session_scope(self.engine) as session:
            session.add(
                Correction(
                    message_id=message_id,
                    alert_id=alert_id,
                    label=label,
                    note="not accurate",
                    created_at=self.now,
                )
            )

    def message(self, message_id: int) -> CustomerMessage:
        with session_scope(self.engine) as session:
            found = session.get(CustomerMessage, message_id)
            assert found is not None
            return found

    def account_id(self, name: str) -> int:
        with session_scope(self.engine) as session:
            return get_or_create_account(session, name).id or 0

    def accounts(self) -> list[Account]:
        from sqlmodel import select

        with session_scope(self.engine) as session:
            return list(session.exec(select(Account)).all())
