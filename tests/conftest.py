"""Shared fixtures: a clean environment, real SQLite and the machine's real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.db import create_db_engine
from storage.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

_CLEARED_PREFIXES = ("SLACK_", "ANTHROPIC_", "TEAMS_", "TONEWATCH_", "DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's keys, database or .env: each starts in an empty folder."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) and name != "TONEWATCH_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tonewatch-test.db'}"


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (per worker); tests get copies of it."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def copy_of_migrated(migrated_sqlite_file: Path, url: str) -> str:
    """`url` (a SQLite file URL), now a copy of the migrated file: the same database as migrating there."""
    shutil.copyfile(migrated_sqlite_file, url.removeprefix("sqlite:///"))
    return url


@pytest.fixture
def sqlite_engine(migrated_sqlite_file: Path, sqlite_url: str) -> Iterator[Engine]:
    """The test's SQLite file (`sqlite_url`), at head."""
    engine = create_db_engine(copy_of_migrated(migrated_sqlite_file, sqlite_url))
    yield engine
    engine.dispose()


def postgres_url() -> str:
    return os.environ.get("TONEWATCH_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


@contextmanager
def empty_postgres_schema() -> Iterator[str]:
    """The name of a new, empty schema in the machine's PostgreSQL, dropped afterwards.

    Skips when the server is unreachable; `.ci/run` starts it, so CI runs these for real.
    """
    base = create_db_engine(postgres_url())
    try:
        with base.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        base.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {postgres_url()}: {type(exc).__name__}")
    schema = f"tw_{uuid.uuid4().hex[:12]}"
    with base.begin() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    try:
        yield schema
    finally:
        with base.begin() as connection:
            connection.execute(text(f'drop schema "{schema}" cascade'))
        base.dispose()


def postgres_url_in_schema(schema: str) -> str:
    url = postgres_url()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh schema in the machine's PostgreSQL, migrated, dropped afterwards."""
    with empty_postgres_schema() as schema:
        engine = _engine_in_schema(schema)
        upgrade(engine)
        yield engine
        engine.dispose()


def _engine_in_schema(schema: str) -> Engine:
    return create_db_engine(postgres_url_in_schema(schema))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on the real PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


# The Messages API stand-in (a local HTTP server speaking Anthropic's wire format), for any test that asks.
from tests.fakes.messages_api import messages_api  # noqa: E402, F401
