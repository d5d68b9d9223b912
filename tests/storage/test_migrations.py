"""Explicit migrations: only `tonewatch db upgrade` changes an existing schema; each migration goes back down.

The rule (storage/migrate.py): a database with no Tonewatch schema is created at head by any command that
needs it; a schema behind head stops every command but `db upgrade` (unless TONEWATCH_AUTO_MIGRATE=true, for
commands that write); read-only commands never change the schema.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table on SQLModel.metadata)
from bot.cli import cli
from storage.db import create_db_engine
from storage.migrate import current_revision, downgrade, head_revision, revisions, upgrade
from storage.slack_tables import metadata as slack_metadata
from tests.conftest import empty_postgres_schema, postgres_url_in_schema
from tests.support.run_process import start_tonewatch_run

INGEST = {"TONEWATCH_INGEST_TOKEN": "ingest-token-for-tests-0123456789"}


def shape(engine: Engine) -> dict[str, tuple]:
    """Every table but alembic_version, with its columns, indexes and foreign keys."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        return {
            table: (
                sorted(column["name"] for column in inspector.get_columns(table)),
                sorted(tuple(index["column_names"]) for index in inspector.get_indexes(table)),
                sorted(
                    (fk["referred_table"], tuple(fk["constrained_columns"]))
                    for fk in inspector.get_foreign_keys(table)
                ),
            )
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }


@pytest.mark.slow
def test_every_migration_goes_down_to_base_and_back_up(any_engine: Engine) -> None:
    """A fresh database (SQLite, and a fresh PostgreSQL schema) at head goes down to base one revision at a
    time, each step restoring exactly the schema that revision had on the way up, then back up to head."""
    engine = any_engine
    assert current_revision(engine) == head_revision()
    downgrade(engine, "base")
    assert shape(engine) == {} and current_revision(engine) is None
    chain = revisions()
    assert len(chain) >= 8 and chain[-1] == head_revision()
    on_the_way_up: dict[str, dict] = {"base": {}}
    for revision in chain:
        upgrade(engine, revision)
        assert current_revision(engine) == revision
        on_the_way_up[revision] = shape(engine)
    at_head = on_the_way_up[chain[-1]]
    models = set(SQLModel.metadata.tables) | set(slack_metadata.tables)
    assert set(at_head) == models
    for table in [*SQLModel.metadata.tables.values(), *slack_metadata.tables.values()]:
        assert at_head[table.name][0] == sorted(table.c.keys()), table.name
    for newer, older in zip(reversed(chain), [*reversed(chain[:-1]), "base"], strict=True):
        assert current_revision(engine) == newer
        downgrade(engine, older)
        assert current_revision(engine) == (None if older == "base" else older)
        assert shape(engine) == on_the_way_up[older], f"downgrade {newer} -> {older}"
    upgrade(engine)
    assert current_revision(engine) == head_revision() and shape(engine) == at_head


# --- the commands --------------------------------------------------------------------------------------


def tonewatch(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "TONEWATCH_"))}
    env.update(environment)
    env.setdefault("TONEWATCH_LOG_LEVEL", "INFO")  # Alembic's INFO lines would show; they must not
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120, env=env
    )


def one_error_line(process: subprocess.CompletedProcess) -> str:
    assert process.returncode == 1, (process.stdout, process.stderr)
    [line] = process.stderr.strip().splitlines()
    assert line.startswith("error: ") and "Traceback" not in process.stderr
    return line


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """DATABASE_URL of a new, empty schema on the machine's PostgreSQL (no Tonewatch tables)."""
    with empty_postgres_schema() as schema:
        yield postgres_url_in_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("empty_postgres_url")


def revision_of(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def db(*args: str, url: str, answer: str | None = None):
    """A `tonewatch db` command in this process (the process-level checks use `tonewatch`)."""
    return CliRunner().invoke(cli, ["db", *args], env={"DATABASE_URL": url}, input=answer)


def error_of(result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


@pytest.mark.slow
def test_db_upgrade_check_current_downgrade_and_back(fresh_database_url: str) -> None:
    url = fresh_database_url
    head = head_revision()
    [*_, previous, last] = revisions()
    assert last == head

    created = tonewatch("db", "upgrade", DATABASE_URL=url)  # a real process: what it logs at INFO
    assert created.returncode == 0 and f"to revision {head} (head)" in created.stdout
    assert created.stderr == ""  # no "Context impl …", "Will assume transactional DDL." from Alembic
    checked = db("check", url=url)
    assert checked.exit_code == 0 and f"revision {head} (head)" in checked.stdout and checked.stderr == ""
    current = db("current", url=url)
    assert current.exit_code == 0 and f"revision {head} (head)" in current.stdout

    down = db("downgrade", previous, url=url)  # not at a terminal: nobody to ask, as in a script
    assert down.exit_code == 0, down.output
    assert f"down to revision {previous}" in down.stdout and revision_of(url) == previous

    line = error_of(db("check", url=url))
    assert f"revision {previous}, behind head {head}" in line and "tonewatch db upgrade" in line
    current = db("current", url=url)
    assert current.exit_code == 0 and f"revision {previous}, behind head {head}" in current.stdout

    up = db("upgrade", url=url)
    assert up.exit_code == 0 and f"from {previous} to revision {head}" in up.stdout
    assert db("check", url=url).exit_code == 0
    again = db("upgrade", url=url)
    assert again.exit_code == 0 and "already at revision" in again.stdout

    base = db("downgrade", "base", "--yes", url=url)
    assert base.exit_code == 0 and revision_of(url) is None
    assert "no Tonewatch schema" in error_of(db("check", url=url))
    assert db("upgrade", url=url).exit_code == 0 and revision_of(url) == head
    behind = tonewatch("db", "check", DATABASE_URL=url)
    assert behind.returncode == 0 and behind.stderr == ""


def test_db_downgrade_at_a_terminal_asks_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'asked.db'}"
    assert db("upgrade", url=url).exit_code == 0
    monkeypatch.setattr("bot.cli.data.sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True)))
    previous = revisions()[-2]
    refused = db("downgrade", previous, url=url, answer="n\n")
    assert refused.exit_code != 0 and "Downgrade" in refused.output and revision_of(url) == head_revision()
    accepted = db("downgrade", previous, url=url, answer="y\n")
    assert accepted.exit_code == 0 and revision_of(url) == previous
    assert db("upgrade", url=url).exit_code == 0
    assert db("downgrade", previous, "--yes", url=url).exit_code == 0 and revision_of(url) == previous


def test_db_commands_refuse_what_they_cannot_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.db'}"
    assert "no database yet" in error_of(db("check", url=url))
    assert "no database yet" in error_of(db("current", url=url))
    assert not (tmp_path / "db.db").exists()  # reading the revision creates nothing
    assert db("upgrade", url=url).exit_code == 0
    assert "unknown revision '0999'" in error_of(db("downgrade", "0999", url=url))
    newer = error_of(db("downgrade", "base", "--yes", url=f"{url}x"))
    assert "no database yet" in newer
    assert revision_of(url) == head_revision()


def downgraded_sqlite(tmp_path: Path) -> tuple[str, str]:
    """A SQLite database one revision behind head, with history in it."""
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    portfolio = Path(__file__).parents[2] / "examples" / "portfolio.jsonl"
    imported = in_process("import", str(portfolio), "--no-analyze", DATABASE_URL=url)
    assert imported.exit_code == 0, imported.stderr
    previous = revisions()[-2]
    engine = create_db_engine(url)
    downgrade(engine, previous)
    engine.dispose()
    return url, previous


def in_process(*args: str, **environment: str):
    """A `tonewatch` command in this process (click's runner), with `environment` set for it."""
    return CliRunner().invoke(cli, list(args), env=environment)


@pytest.mark.slow
def test_every_command_refuses_a_schema_that_is_behind_and_only_db_upgrade_migrates(tmp_path: Path) -> None:
    url, previous = downgraded_sqlite(tmp_path)
    # The server as the process it runs as: one error line, nothing migrated.
    line = one_error_line(tonewatch("run", "--port", "0", DATABASE_URL=url, **INGEST))
    assert "schema is behind" in line and "run `tonewatch db upgrade`" in line
    assert revision_of(url) == previous
    commands = [
        ("import", str(Path(__file__).parents[2] / "examples" / "portfolio.jsonl")),
        ("account", "Acme Corp"),
        ("digest", "--preview", "--as-of", "2026-11-23"),
        ("forget", "--account", "Acme Corp", "--dry-run"),
        ("train", "--reset"),
        ("analyze", "the export is broken again"),
    ]
    for command in commands:
        line = error_of(in_process(*command, DATABASE_URL=url, **INGEST))
        assert "schema is behind" in line and "run `tonewatch db upgrade`" in line, command
        assert revision_of(url) == previous, command
    # Read-only commands never migrate, even when migrating at start is allowed.
    for command in commands[1:4]:
        line = error_of(in_process(*command, DATABASE_URL=url, TONEWATCH_AUTO_MIGRATE="true"))
        assert "tonewatch db upgrade" in line and revision_of(url) == previous, command
    assert db("upgrade", url=url).exit_code == 0
    shown = in_process("account", "Acme Corp", DATABASE_URL=url)
    assert shown.exit_code == 0 and "Acme Corp" in shown.stdout


@pytest.mark.slow
def test_auto_migrate_lets_run_migrate_at_start(tmp_path: Path) -> None:
    url, previous = downgraded_sqlite(tmp_path)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "TONEWATCH_"))},
        "DATABASE_URL": url,
        "TONEWATCH_AUTO_MIGRATE": "true",
        "TONEWATCH_LOG_LEVEL": "INFO",
        **INGEST,
    }

    async def start_and_stop() -> str:
        process, _ = await start_tonewatch_run(environment, tmp_path)
        assert revision_of(url) == head_revision()  # migrated before it listened
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0
        return stderr.decode()

    logged = asyncio.run(start_and_stop())
    assert "Context impl" not in logged and "transactional DDL" not in logged


def test_a_new_database_is_created_at_head_by_a_command_that_needs_it(fresh_database_url: str) -> None:
    """Nothing to migrate: the README's first commands work on a fresh machine."""
    url = fresh_database_url
    imported = in_process("import", "examples/portfolio.jsonl", "--no-analyze", DATABASE_URL=url)
    assert imported.exit_code == 0, imported.stderr
    assert revision_of(fresh_database_url) == head_revision()


def test_a_read_only_command_creates_no_schema(empty_postgres_url: str) -> None:
    line = error_of(in_process("account", "Acme Corp", DATABASE_URL=empty_postgres_url))
    assert "no Tonewatch schema yet" in line
    engine = create_db_engine(empty_postgres_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


# --- tenants (0014) ----------------------------------------------------------------------------------


def _insert(connection, table: str, **values) -> int:
    """A row as the schema of the moment takes it: unnamed NOT NULL columns get a plain value."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    row = dict(values)
    for column in reflected.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        python = column.type.python_type
        row[column.name] = {str: "", int: 0, bool: False, float: 0.0}.get(python, datetime.now(UTC))
        if python is dict or python is list:
            row[column.name] = python()
    return connection.execute(reflected.insert().values(**row)).inserted_primary_key[0]


def test_tenants_are_assigned_to_existing_rows_and_the_downgrade_keeps_every_row(any_engine: Engine) -> None:
    """0014 puts each row in the tenant of its place where known (a channel of an OAuth workspace), else
    the default tenant; down again, two tenants' namesakes stay two rows."""
    import sqlalchemy as sa

    engine = any_engine
    downgrade(engine, "0013")
    with engine.begin() as c:
        _insert(c, "slack_channel_teams", channel_id="C_B", team_id="T_B")
        acme = _insert(c, "accounts", name="Acme", name_key="acme")
        solo = _insert(c, "accounts", name="Solo", name_key="solo")
        _insert(c, "places", platform="slack", external_id="C_B", account_id=acme, watched=True)
        _insert(c, "places", platform="slack", external_id="C_OLD", account_id=solo, watched=True)
        message = _insert(
            c, "messages", platform="slack", place_key="C_B", external_id="1.0", account_id=acme
        )
        _insert(c, "messages", platform="ingest", place_key="ticket", external_id="9", account_id=solo)
        _insert(c, "alerts", account_id=acme, message_id=message, severity="critical", open_key=f"{acme}:x")
        _insert(c, "digest_targets", key="slack:T_B:C_B", platform="slack", destination="C_B")
    upgrade(engine)

    def tenants(table: str, column: str) -> dict:
        with engine.connect() as c:
            return dict(c.execute(sa.text(f"SELECT {column}, tenant FROM {table}")).all())

    assert tenants("accounts", "name") == {"Acme": "slack:T_B", "Solo": "default"}
    assert tenants("places", "external_id") == {"C_B": "slack:T_B", "C_OLD": "default"}
    assert tenants("messages", "external_id") == {"1.0": "slack:T_B", "9": "default"}
    assert set(tenants("alerts", "id").values()) == {"slack:T_B"}
    assert tenants("digest_targets", "key") == {"slack:T_B:C_B": "slack:T_B"}

    # After the upgrade another tenant can have its own Acme and the same ingest id; going down keeps both.
    with engine.begin() as c:
        other = _insert(c, "accounts", tenant="slack:T_C", name="Acme", name_key="acme")
        _insert(
            c,
            "messages",
            tenant="slack:T_C",
            platform="ingest",
            place_key="ticket",
            external_id="9",
            account_id=other,
        )
    downgrade(engine, "0013")
    with engine.connect() as c:
        keys = sorted(row[0] for row in c.execute(sa.text("SELECT name_key FROM accounts")))
        ids = sorted(row[0] for row in c.execute(sa.text("SELECT external_id FROM messages")))
    assert keys == ["acme", "acme [slack:T_C]", "solo"]
    assert ids == ["1.0", "9", "9 [slack:T_C]"]
    upgrade(engine)
