"""The schema's revision: Alembic migrations, shipped inside the package.

The rule every command follows (`ensure_schema`):

- a database with no Tonewatch schema at all (a new SQLite file, an empty PostgreSQL schema) is created at
  the newest revision by any command that needs it: there is nothing to migrate;
- a schema at the newest revision is used as it is;
- a schema behind it is changed only by `tonewatch db upgrade` (or at start-up, when the operator opted in
  with TONEWATCH_AUTO_MIGRATE=true); every other command refuses to start, naming that command;
- a schema at a revision this version does not know (written by a newer Tonewatch) is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from storage.errors import UserError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
UPGRADE_COMMAND = "tonewatch db upgrade"

# Alembic says "Context impl SQLiteImpl." and "Will assume transactional DDL." at INFO every time a
# revision is read (each command, each readiness probe). What a migration did is reported by the
# `tonewatch db` commands themselves.
logging.getLogger("alembic").setLevel(logging.WARNING)


class SchemaBehind(UserError):
    """The schema needs `tonewatch db upgrade` (or was written by a newer Tonewatch)."""


class Status(Enum):
    EMPTY = "empty"  # no Tonewatch schema at all
    AT_HEAD = "at head"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # a revision this version does not know (a newer Tonewatch wrote it)


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    status: Status

    def describe(self) -> str:
        if self.status is Status.EMPTY:
            return f"no Tonewatch schema yet (newest revision {self.head})"
        if self.status is Status.AT_HEAD:
            return f"revision {self.current} (head)"
        if self.status is Status.BEHIND:
            current = self.current or "none (tables without a revision)"
            return f"revision {current}, behind head {self.head}: run `{UPGRADE_COMMAND}`"
        return (
            f"revision {self.current}, unknown to this version of Tonewatch (its newest is {self.head}): "
            "upgrade Tonewatch, or downgrade the schema with the newer version"
        )


def alembic_config() -> Config:
    """Alembic's config (storage/alembic.ini); the connection is handed over in `config.attributes`
    (see env.py)."""
    return Config(str(ALEMBIC_INI))


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to `revision` (`base`: no Tonewatch tables at all)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return _scripts().get_current_head()


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def resolve_revision(revision: str) -> str:
    """`revision` as Alembic names it (`base`, a full id, or an unambiguous prefix such as `0007`)."""
    if revision == "base":
        return revision
    matches = [known for known in revisions() if known == revision or known.startswith(revision)]
    if len(matches) != 1:
        raise UserError(
            f"unknown revision {revision!r}; known: base, " + ", ".join(revisions())
            if not matches
            else f"revision {revision!r} is ambiguous: " + ", ".join(matches)
        )
    return matches[0]


def _our_tables(engine: Engine) -> set[str]:
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
    from storage.slack_tables import metadata as slack_metadata

    ours = set(SQLModel.metadata.tables) | set(slack_metadata.tables)
    with engine.connect() as connection:
        return ours & set(inspect(connection).get_table_names())


def schema_state(engine: Engine) -> SchemaState:
    """Where the schema stands; reads only."""
    head = head_revision()
    assert head is not None
    current = current_revision(engine)
    if current is None:
        status = Status.EMPTY if not _our_tables(engine) else Status.BEHIND
    elif current == head:
        status = Status.AT_HEAD
    elif current in revisions():
        status = Status.BEHIND
    else:
        status = Status.UNKNOWN
    return SchemaState(current, head, status)


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def ensure_schema(engine: Engine, *, create: bool = True, auto_migrate: bool = False) -> SchemaState:
    """Apply the rule in the module's docstring: create an empty database's schema (when `create`), migrate
    a schema that is behind only when `auto_migrate`, and otherwise refuse with SchemaBehind."""
    state = schema_state(engine)
    if state.status is Status.AT_HEAD:
        return state
    if state.status is Status.EMPTY:
        if create:
            upgrade(engine)
            return schema_state(engine)
        return state
    if state.status is Status.BEHIND and auto_migrate:
        upgrade(engine)
        return schema_state(engine)
    if state.status is Status.BEHIND:
        raise SchemaBehind(
            f"the database schema is behind this version of Tonewatch ({state.describe()}; "
            "or set TONEWATCH_AUTO_MIGRATE=true to migrate at start)"
        )
    raise SchemaBehind(f"the database schema is at {state.describe()}")
