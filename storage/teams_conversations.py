"""The Teams channels and chats Tonewatch can post in later, with their stored conversation references.

Teams only takes proactive messages (alerts, digests, answers given later) for
a conversation the bot has seen, sent to the service URL Teams named for it.
The reference is saved when Tonewatch is installed or added and refreshed from
every inbound activity; a small in-process memo keeps that from writing to the
database on every message when nothing changed. No SDK types here: references
are kept as the Bot Framework's JSON (`activityId`, `user`, `bot`, `conversation`,
`channelId`, `serviceUrl`), which the Agents SDK's `ConversationReference` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Engine, session_scope
from storage.models import TeamsConversation
from storage.types import utcnow


@dataclass(frozen=True)
class ConversationInfo:
    conversation_id: str
    kind: str
    tenant_id: str | None
    team_id: str | None
    name: str
    user_id: str | None
    service_url: str
    reference: dict[str, Any]
    installed: bool


def _info(row: TeamsConversation) -> ConversationInfo:
    return ConversationInfo(
        conversation_id=row.conversation_id,
        kind=row.kind,
        tenant_id=row.tenant_id,
        team_id=row.team_id,
        name=row.name,
        user_id=row.user_id,
        service_url=row.service_url,
        reference=dict(row.reference or {}),
        installed=row.installed,
    )


class TeamsConversations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: conversation id → what was last written, so an unchanged reference is not written again.
        self._written: dict[str, tuple] = {}

    def remember(self, info: ConversationInfo) -> None:
        """Save or refresh a conversation's reference (idempotent; concurrent writers are fine)."""
        signature = (info.service_url, info.name, info.installed, info.tenant_id, info.team_id, info.user_id)
        if self._written.get(info.conversation_id) == signature:
            return
        with session_scope(self.engine) as session:
            row = self._row(session, info.conversation_id)
            if row is None:
                row = TeamsConversation(conversation_id=info.conversation_id, service_url=info.service_url)
                try:
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:
                    row = self._row(session, info.conversation_id)
                    assert row is not None
            row.kind, row.service_url, row.reference = info.kind, info.service_url, dict(info.reference)
            row.tenant_id = info.tenant_id or row.tenant_id
            row.team_id = info.team_id or row.team_id
            row.user_id = info.user_id or row.user_id
            row.name = info.name or row.name
            row.installed, row.updated_at = info.installed, utcnow()
            session.add(row)
        self._written[info.conversation_id] = signature

    @staticmethod
    def _row(session, conversation_id: str) -> TeamsConversation | None:
        return session.exec(
            select(TeamsConversation).where(TeamsConversation.conversation_id == conversation_id)
        ).first()

    def get(self, conversation_id: str) -> ConversationInfo | None:
        with session_scope(self.engine) as session:
            row = self._row(session, conversation_id)
            return _info(row) if row is not None else None

    def personal_chat(self, user_id: str) -> ConversationInfo | None:
        """The 1:1 chat with this person, if Tonewatch has one."""
        with session_scope(self.engine) as session:
            row = session.exec(
                select(TeamsConversation)
                .where(TeamsConversation.user_id == user_id, TeamsConversation.kind == "personal")
                .order_by(col(TeamsConversation.updated_at).desc())
            ).first()
            return _info(row) if row is not None else None

    def mark_removed(self, conversation_id: str) -> None:
        """Tonewatch was removed: keep the row (history), but never post there again."""
        with session_scope(self.engine) as session:
            row = self._row(session, conversation_id)
            if row is not None:
                row.installed, row.updated_at = False, utcnow()
                session.add(row)
        self._written.pop(conversation_id, None)

    def in_team(self, team_id: str) -> list[ConversationInfo]:
        with session_scope(self.engine) as session:
            rows = session.exec(select(TeamsConversation).where(TeamsConversation.team_id == team_id)).all()
            return [_info(row) for row in rows]
