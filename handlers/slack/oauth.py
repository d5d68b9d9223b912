"""Installing Tonewatch in many workspaces: OAuth installations and states in our database.

The tables (migration 0003) have the columns of slack_sdk's SQLAlchemy stores,
but the stores here are our own: slack_sdk's module imports SQLAlchemy's
asyncio extension (and so greenlet) just to be importable, and Bolt's AsyncApp
wants async stores anyway. They translate between Bolt's types and the rows of
`storage/slack_installations.py`; each call is one short transaction there, run
in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.secrets import SecretBox
from storage.db import Engine
from storage.slack_installations import (
    TokenRewrite,
    consume_oauth_state,
    delete_bots,
    delete_installations,
    newest_bot,
    newest_installation,
    save_bot,
    save_installation,
    save_oauth_state,
)

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


class DbInstallationStore(AsyncInstallationStore):
    """Installations and their bots, newest first; Bolt resolves each request's token from here."""

    def __init__(self, engine: Engine, client_id: str, box: SecretBox | None = None) -> None:
        self.engine = engine
        self.client_id = client_id
        #: Encrypts the tokens at rest (TONEWATCH_SECRET_KEY); without it they are stored as they are.
        self.box = box

    @property
    def logger(self) -> logging.Logger:
        return log

    @property
    def _seal(self) -> TokenRewrite | None:
        return self.box.seal if self.box is not None else None

    @property
    def _open(self) -> TokenRewrite | None:
        return self.box.open if self.box is not None else None

    def _save(self, installation: Installation) -> None:
        save_installation(
            self.engine, self.client_id, installation.to_dict(), installation.to_bot().to_dict(), self._seal
        )

    def _find_bot(self, enterprise_id, team_id, is_enterprise_install) -> Bot | None:
        values = newest_bot(
            self.engine, self.client_id, enterprise_id, team_id, is_enterprise_install, self._open
        )
        return Bot(**values) if values is not None else None

    def _find_installation(
        self, enterprise_id, team_id, user_id, is_enterprise_install
    ) -> Installation | None:
        values = newest_installation(
            self.engine, self.client_id, enterprise_id, team_id, user_id, is_enterprise_install, self._open
        )
        return Installation(**values) if values is not None else None

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(save_bot, self.engine, self.client_id, bot.to_dict(), self._seal)

    async def async_find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        return await asyncio.to_thread(self._find_bot, enterprise_id, team_id, bool(is_enterprise_install))

    async def async_find_installation(
        self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False
    ) -> Installation | None:
        return await asyncio.to_thread(
            self._find_installation, enterprise_id, team_id, user_id, bool(is_enterprise_install)
        )

    async def async_delete_bot(self, *, enterprise_id, team_id) -> None:
        await asyncio.to_thread(delete_bots, self.engine, self.client_id, enterprise_id, team_id)

    async def async_delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        await asyncio.to_thread(
            delete_installations, self.engine, self.client_id, enterprise_id, team_id, user_id
        )

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
        save_oauth_state(self.engine, state, self.expiration_seconds)
        return state

    async def async_issue(self, *args, **kwargs) -> str:
        return await asyncio.to_thread(self._issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(consume_oauth_state, self.engine, state)


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
