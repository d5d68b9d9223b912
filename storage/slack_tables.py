"""Slack OAuth tables (installations, bots, states) and the channel→workspace map.

They keep the column layout of slack_sdk's SQLAlchemy stores but live in their
own MetaData (not SQLModel's), created by migration 0003. They are defined here,
in storage, so migrations never import the Slack handlers.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()


def _bot_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(2000)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(2000)),
        sa.Column("bot_token_expires_at", sa.DateTime),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False, default=False),
        sa.Column("installed_at", sa.DateTime, nullable=False),
    ]


bots = sa.Table("slack_bots", metadata, *_bot_columns())
installations = sa.Table(
    "slack_installations",
    metadata,
    *_bot_columns(),
    sa.Column("enterprise_url", sa.String(200)),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("user_token", sa.String(2000)),
    sa.Column("user_scopes", sa.String(1000)),
    sa.Column("user_refresh_token", sa.String(2000)),
    sa.Column("user_token_expires_at", sa.DateTime),
    sa.Column("incoming_webhook_url", sa.String(200)),
    sa.Column("incoming_webhook_channel", sa.String(200)),
    sa.Column("incoming_webhook_channel_id", sa.String(200)),
    sa.Column("incoming_webhook_configuration_url", sa.String(200)),
    sa.Column("token_type", sa.String(32)),
)
oauth_states = sa.Table(
    "slack_oauth_states",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("state", sa.String(200), nullable=False),
    sa.Column("expire_at", sa.DateTime, nullable=False),
)
#: Which workspace a channel was seen in, so the worker posts with that workspace's bot token.
channel_teams = sa.Table(
    "slack_channel_teams",
    metadata,
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("team_id", sa.String(32), nullable=False),
    sa.Column("enterprise_id", sa.String(32)),
)

sa.Index("slack_bots_idx", bots.c.client_id, bots.c.enterprise_id, bots.c.team_id, bots.c.installed_at)
sa.Index(
    "slack_installations_idx",
    installations.c.client_id,
    installations.c.enterprise_id,
    installations.c.team_id,
    installations.c.user_id,
    installations.c.installed_at,
)

#: The columns holding workspace secrets, encrypted at rest (bot/secrets).
TOKEN_COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def rewrite_tokens(engine: sa.Engine, rewrite: Callable[[str | None], str | None]) -> int:
    """Every stored token passed through `rewrite` (encrypt, re-encrypt), in one transaction; how
    many rows changed."""
    changed = 0
    with engine.begin() as connection:
        for name, columns in TOKEN_COLUMNS.items():
            table = metadata.tables[name]
            for row in connection.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all():
                values = {c: rewrite(getattr(row, c)) for c in columns}
                if any(values[c] != getattr(row, c) for c in columns):
                    connection.execute(table.update().where(table.c.id == row.id).values(**values))
                    changed += 1
    return changed
