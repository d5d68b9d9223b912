"""Installing Tonewatch in many workspaces: OAuth installations and states in our database.

The tables (migration 0003) have the columns of slack_sdk's SQLAlchemy stores,
but the stores here are our own: slack_sdk's module imports SQLAlchemy's
asyncio extension (and so greenlet) just to be importable, and Bolt's AsyncApp
wants async stores anyway. Each call is one short transaction in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from bot.secrets import SecretBox
from storage.slack_tables import TOKEN_COLUMNS, bots, channel_teams, installations, oauth_states

log = logging.getLogger(__name__)

#: The bot scopes Tonewatch asks for; `manifest.yml` lists the same (a test holds them together).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "team:read",
    "users:read",
    "users:read.email",
)

STATE_SECONDS = 600


def _to_db(value: Any) -> Any:
    """Aware datetimes are stored as naive UTC (the columns carry no zone, as in slack_sdk's schema)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _from_db(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    for key, value in values.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            values[key] = value.replace(tzinfo=UTC)
    values.pop("id", None)
    values.pop("client_id", None)
    return values


def _row(table: sa.Table, values: dict[str, Any], client_id: str) -> dict[str, Any]:
    row = {key: _to_db(value) for key, value in values.items() if key in table.c and key != "id"}
    row["client_id"] = client_id
    return row


class DbInstallationStore(AsyncInstallationStore):
    """Installations and their bots, newest first; Bolt resolves each request's token from here."""

    def __init__(self, engine: Engine, client_id: str, box: SecretBox | None = None) -> None:
        self.engine = engine
        self.client_id = client_id
        #: Encrypts the tokens at rest (TONEWATCH_SECRET_KEY); without it they are stored as they are.
        self.box = box

    def _sealed(self, table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
        row = _row(table, values, self.client_id)
        if self.box is not None:
            for column in TOKEN_COLUMNS[table.name]:
                row[column] = self.box.seal(row.get(column))
        return row

    def _opened(self, table: sa.Table, row: Any) -> dict[str, Any]:
        values = _from_db(row)
        if self.box is not None:
            for column in TOKEN_COLUMNS[table.name]:
                values[column] = self.box.open(values.get(column))
        return values

    @property
    def logger(self) -> logging.Logger:
        return log

    def _where(
        self, table: sa.Table, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
    ):
        if is_enterprise_install:
            team_id = None  # an org-wide installation is found by its enterprise alone
        return sa.and_(
            table.c.client_id == self.client_id,
            table.c.enterprise_id == enterprise_id,
            table.c.team_id == team_id,
        )

    def _save(self, installation: Installation) -> None:
        with self.engine.begin() as connection:
            row = self._sealed(installations, installation.to_dict())
            connection.execute(installations.insert().values(row))
            connection.execute(bots.insert().values(self._sealed(bots, installation.to_bot().to_dict())))

    def _save_bot(self, bot: Bot) -> None:
        with self.engine.begin() as connection:
            connection.execute(bots.insert().values(self._sealed(bots, bot.to_dict())))

    def _find_bot(self, enterprise_id, team_id, is_enterprise_install) -> Bot | None:
        query = (
            sa.select(bots)
            .where(self._where(bots, enterprise_id, team_id, is_enterprise_install))
            .order_by(bots.c.installed_at.desc(), bots.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Bot(**self._opened(bots, row)) if row is not None else None

    def _find_installation(
        self, enterprise_id, team_id, user_id, is_enterprise_install
    ) -> Installation | None:
        condition = self._where(installations, enterprise_id, team_id, is_enterprise_install)
        if user_id is not None:
            condition = sa.and_(condition, installations.c.user_id == user_id)
        query = (
            sa.select(installations)
            .where(condition)
            .order_by(installations.c.installed_at.desc(), installations.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Installation(**self._opened(installations, row)) if row is not None else None

    def _delete(self, table: sa.Table, enterprise_id, team_id, user_id=None) -> None:
        condition = self._where(table, enterprise_id, team_id, False)
        if user_id is not None:
            condition = sa.and_(condition, table.c.user_id == user_id)
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(condition))

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._save_bot, bot)

    async def async_find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        return await asyncio.to_thread(self._find_bot, enterprise_id, team_id, bool(is_enterprise_install))

    async def async_find_installation(
        self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False
    ) -> Installation | None:
        return await asyncio.to_thread(
            self._find_installation, enterprise_id, team_id, user_id, bool(is_enterprise_install)
        )

    async def async_delete_bot(self, *, enterprise_id, team_id) -> None:
        await asyncio.to_thread(self._delete, bots, enterprise_id, team_id)

    async def async_delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        await asyncio.to_thread(self._delete, installations, enterprise_id, team_id, user_id)

    async def async_delete_all(self, *, enterprise_id, team_id) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class DbStateStore(AsyncOAuthStateStore):
    """One-time OAuth `state` values, valid for STATE_SECONDS (protects the redirect from forgery)."""

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
        self.engine = engine
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    def _issue(self) -> str:
        state = uuid.uuid4().hex
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            # /slack/install is public: anyone may ask for states, so expired ones go as new ones come.
            connection.execute(oauth_states.delete().where(oauth_states.c.expire_at <= now))
            expire_at = now + timedelta(seconds=self.expiration_seconds)
            connection.execute(oauth_states.insert().values(state=state, expire_at=expire_at))
        return state

    def _consume(self, state: str) -> bool:
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            deleted = connection.execute(
                oauth_states.delete().where(oauth_states.c.state == state, oauth_states.c.expire_at > now)
            )
            return bool(deleted.rowcount)

    async def async_issue(self, *args, **kwargs) -> str:
        return await asyncio.to_thread(self._issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._consume, state)


@dataclass(frozen=True)
class ChannelTeam:
    team_id: str
    enterprise_id: str | None


class ChannelTeams:
    """Remembers each channel's workspace, so the worker can post with the right installation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: dict[str, ChannelTeam] = {}

    def remember(self, channel: str, team_id: str | None, enterprise_id: str | None = None) -> None:
        if not channel or not team_id:
            return
        wanted = ChannelTeam(team_id, enterprise_id)
        if self._known.get(channel) == wanted:
            return
        with self.engine.begin() as connection:
            updated = connection.execute(
                channel_teams.update()
                .where(channel_teams.c.channel_id == channel)
                .values(team_id=team_id, enterprise_id=enterprise_id)
            )
            if not updated.rowcount:
                connection.execute(
                    channel_teams.insert().values(
                        channel_id=channel, team_id=team_id, enterprise_id=enterprise_id
                    )
                )
        self._known[channel] = wanted

    def team_of(self, channel: str) -> ChannelTeam | None:
        if channel in self._known:
            return self._known[channel]
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(channel_teams.c.team_id, channel_teams.c.enterprise_id).where(
                    channel_teams.c.channel_id == channel
                )
            ).first()
        if row is None:
            return None
        self._known[channel] = ChannelTeam(row.team_id, row.enterprise_id)
        return self._known[channel]


def build_oauth_flow(
    engine: Engine,
    client: AsyncWebClient,
    store: DbInstallationStore,
    client_secret: str,
    redirect_uri: str | None,
) -> AsyncOAuthFlow:
    """Bolt's OAuth flow (/slack/install, /slack/oauth_redirect) with installations in our database."""
    settings = AsyncOAuthSettings(
        client_id=store.client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=redirect_uri,
        installation_store=store,
        state_store=DbStateStore(engine),
    )
    return AsyncOAuthFlow(client=client, settings=settings, logger=log)
