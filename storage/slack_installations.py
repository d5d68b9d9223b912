"""Slack installations, their bots and one-time OAuth states, and the workspace each channel is in.

The rows live in the tables of `storage/slack_tables.py`. An installation or a bot goes in and comes
out as a plain dict in slack_sdk's field names (`Installation.to_dict()`, `Bot.to_dict()`), which the
Slack handler turns into Bolt's types; each is stored under the app's `client_id`. Tokens pass through
`seal` on the way in and `open_token` on the way out (the caller's encryption at rest). Aware datetimes
are stored as naive UTC (the columns carry no zone, as in slack_sdk's schema) and read back aware.
Each call is one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.db import Engine
from storage.slack_tables import TOKEN_COLUMNS, bots, channel_teams, installations, oauth_states

#: A token's stored form from its plain one (`seal`), or back (`open_token`).
TokenRewrite = Callable[[str | None], str | None]


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _row(
    table: sa.Table, values: Mapping[str, Any], client_id: str, seal: TokenRewrite | None
) -> dict[str, Any]:
    row = {key: _to_db(value) for key, value in values.items() if key in table.c and key != "id"}
    row["client_id"] = client_id
    if seal is not None:
        for column in TOKEN_COLUMNS[table.name]:
            row[column] = seal(row.get(column))
    return row


def _values(table: sa.Table, row: Any, open_token: TokenRewrite | None) -> dict[str, Any]:
    values = dict(row._mapping)
    for key, value in values.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            values[key] = value.replace(tzinfo=UTC)
    values.pop("id", None)
    values.pop("client_id", None)
    if open_token is not None:
        for column in TOKEN_COLUMNS[table.name]:
            values[column] = open_token(values.get(column))
    return values


def _where(
    table: sa.Table,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    is_enterprise_install: bool,
) -> sa.ColumnElement[bool]:
    if is_enterprise_install:
        team_id = None  # an org-wide installation is found by its enterprise alone
    return sa.and_(
        table.c.client_id == client_id,
        table.c.enterprise_id == enterprise_id,
        table.c.team_id == team_id,
    )


def save_installation(
    engine: Engine,
    client_id: str,
    installation: Mapping[str, Any],
    bot: Mapping[str, Any],
    seal: TokenRewrite | None = None,
) -> None:
    """Store an installation and its bot together (the newest of each is the one found)."""
    with engine.begin() as connection:
        connection.execute(installations.insert().values(_row(installations, installation, client_id, seal)))
        connection.execute(bots.insert().values(_row(bots, bot, client_id, seal)))


def save_bot(
    engine: Engine, client_id: str, bot: Mapping[str, Any], seal: TokenRewrite | None = None
) -> None:
    with engine.begin() as connection:
        connection.execute(bots.insert().values(_row(bots, bot, client_id, seal)))


def newest_bot(
    engine: Engine,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    is_enterprise_install: bool,
    open_token: TokenRewrite | None = None,
) -> dict[str, Any] | None:
    """The workspace's (or, org-wide, the enterprise's) most recently installed bot."""
    condition = _where(bots, client_id, enterprise_id, team_id, is_enterprise_install)
    return _newest(engine, bots, condition, open_token)


def newest_installation(
    engine: Engine,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None,
    is_enterprise_install: bool,
    open_token: TokenRewrite | None = None,
) -> dict[str, Any] | None:
    """The workspace's (or, org-wide, the enterprise's) most recent installation (`user_id`'s, when given)."""
    condition = _where(installations, client_id, enterprise_id, team_id, is_enterprise_install)
    if user_id is not None:
        condition = sa.and_(condition, installations.c.user_id == user_id)
    return _newest(engine, installations, condition, open_token)


def _newest(
    engine: Engine, table: sa.Table, condition: Any, open_token: TokenRewrite | None
) -> dict[str, Any] | None:
    """The most recently installed row of `table` meeting `condition`, as a dict."""
    query = (
        sa.select(table).where(condition).order_by(table.c.installed_at.desc(), table.c.id.desc()).limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return _values(table, row, open_token) if row is not None else None


def _delete(
    engine: Engine,
    table: sa.Table,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None = None,
) -> None:
    condition = _where(table, client_id, enterprise_id, team_id, False)
    if user_id is not None:
        condition = sa.and_(condition, table.c.user_id == user_id)
    with engine.begin() as connection:
        connection.execute(table.delete().where(condition))


def delete_bots(engine: Engine, client_id: str, enterprise_id: str | None, team_id: str | None) -> None:
    _delete(engine, bots, client_id, enterprise_id, team_id)


def delete_installations(
    engine: Engine, client_id: str, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
) -> None:
    """Forget the workspace's installations (only `user_id`'s, when given)."""
    _delete(engine, installations, client_id, enterprise_id, team_id, user_id)


def save_oauth_state(engine: Engine, state: str, expiration_seconds: int) -> None:
    """Keep `state` valid for `expiration_seconds`, dropping every state already expired."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        # /slack/install is public: anyone may ask for states, so expired ones go as new ones come.
        connection.execute(oauth_states.delete().where(oauth_states.c.expire_at <= now))
        expire_at = now + timedelta(seconds=expiration_seconds)
        connection.execute(oauth_states.insert().values(state=state, expire_at=expire_at))


def consume_oauth_state(engine: Engine, state: str) -> bool:
    """Whether `state` was issued and has not expired; either way it cannot be used again."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        deleted = connection.execute(
            oauth_states.delete().where(oauth_states.c.state == state, oauth_states.c.expire_at > now)
        )
        return bool(deleted.rowcount)


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
