"""Engine, transactions and sessions. The composition root calls `create_db_engine` once.

Code outside storage holds two things of the database: the `Engine` the composition root creates, and a
`Transaction` — a unit of work it opens with `transaction`, `read_transaction` or `urgent_transaction`,
hands to storage functions and leaves to commit (or roll back) at the end of its block. A `Transaction`
runs nothing itself: only storage functions reach the session inside it (`orm`), so the core decides
where a unit of work begins and ends and storage decides what runs in it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

# `Engine` is the database handle the composition root creates and passes down; code outside storage
# names the type from here (the explicit `as` re-exports it).
from sqlalchemy import Engine as Engine
from sqlalchemy import Table, event, text
from sqlalchemy.pool import StaticPool
from sqlmodel import Session as Session
from sqlmodel import create_engine

from storage.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

#: Execution option marking a session that only reads (see `read_scope`).
READ_ONLY = "tonewatch_read_only"
#: Execution option marking a write someone is waiting for (see `urgent_scope`).
URGENT = "tonewatch_urgent"


class WriterLock:
    """SQLite's one writer, handed out in this process: urgent writers first, then the rest in turn.

    A Slack event is acknowledged only after its message is stored, and Slack gives up after
    3 seconds; the worker's writes (analyses, alert decisions, queue bookkeeping) can wait. So a
    writer marked urgent goes ahead of every waiting background writer. Re-entrant per thread,
    like the RLock it replaces.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._urgent_waiting = 0
        #: Threads blocked in `acquire` (urgent or not); tests wait on it.
        self.waiting = 0

    def acquire(self, urgent: bool = False) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return
            self.waiting += 1
            try:
                if urgent:
                    self._urgent_waiting += 1
                    try:
                        while self._owner is not None:
                            self._condition.wait()
                    finally:
                        self._urgent_waiting -= 1
                else:
                    while self._owner is not None or self._urgent_waiting:
                        self._condition.wait()
            finally:
                self.waiting -= 1
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._condition:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a writer lock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._condition.notify_all()


def create_db_engine(url: str, echo: bool = False) -> Engine:
    """An engine for SQLite or PostgreSQL, with SQLite made safe for threads and concurrent readers."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            path = url.split(":///", 1)[-1]
            parent = Path(path).expanduser().resolve().parent
            if not parent.exists():
                raise ConfigError(f"DATABASE_URL: folder {parent} does not exist")
        engine = create_engine(
            url,
            echo=echo,
            # A failed statement's error (logged with its work item) never quotes the customer's words.
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            # pysqlite's own transaction handling breaks SAVEPOINTs (a nested rollback could
            # leave half a batch committed); SQLAlchemy emits BEGIN itself instead (see below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        # SQLite has one writer at a time. Threads of this process queue for it on a Python lock,
        # handed over the moment it is free, instead of in SQLite's busy handler, which polls with
        # sleeps of up to 100 ms: under load that polling, not the work, set a request's latency.
        writer = WriterLock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # pragma: no cover - trivial
            if connection.get_execution_options().get(READ_ONLY):
                connection.exec_driver_sql("BEGIN")  # a WAL reader: no lock, sees the last commit
                return
            writer.acquire(urgent=bool(connection.get_execution_options().get(URGENT)))
            try:
                # IMMEDIATE takes the write lock up front: two threads that read then write
                # would otherwise fail with "database is locked" instead of waiting.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                writer.release()
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(connection) -> None:  # pragma: no cover - trivial
            if connection.get_execution_options().get(READ_ONLY):
                return
            try:
                writer.release()
            except RuntimeError:
                pass  # a rollback of a transaction that never began here

        return engine
    try:
        # pool_pre_ping: a connection the server dropped (a restart, a failover, an idle timeout,
        # pg_terminate_backend) is found dead when it is taken from the pool and replaced there, so
        # no request, acknowledgement or probe fails on it (tests/storage/test_database_loss.py). It costs
        # one round trip per checkout.
        return create_engine(
            url,
            echo=echo,
            pool_size=10,
            max_overflow=10,
            pool_recycle=3600,
            pool_pre_ping=True,
            hide_parameters=True,  # errors and echo never quote the customer's words
        )
    except ModuleNotFoundError as exc:
        raise ConfigError(
            "DATABASE_URL: PostgreSQL needs the driver; install with pip install -e '.[postgres]'"
        ) from exc


def ping(engine: Engine) -> None:
    """One round trip to the database; raises whatever the driver raises when it cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("select 1"))


class Transaction:
    """One unit of work of the core's. Storage functions take it as their first argument; `memo` keeps
    what the core works out once per transaction (the alert service's decisions in a group commit)."""

    __slots__ = ("_session", "memo")

    def __init__(self, session: Session) -> None:
        self._session = session
        self.memo: dict[str, Any] = {}

    @property
    def engine(self) -> Engine:
        """The database this unit of work runs on (to open another beside it)."""
        bind = self._session.get_bind()
        return bind if isinstance(bind, Engine) else bind.engine


def reads_beside_a_transaction(engine: Engine) -> bool:
    """Whether a second connection can read while a transaction is open on another. Not on SQLite:
    its transactions begin IMMEDIATE (see `create_db_engine`), so the second would wait."""
    return engine.dialect.name != "sqlite"


#: What a storage function takes: the core's unit of work, or the session of the storage function
#: that calls it.
Tx: TypeAlias = Transaction | Session


def orm(tx: Tx) -> Session:
    """The session a storage function runs its statements on."""
    return tx._session if isinstance(tx, Transaction) else tx


#: `Session.info` key: the rows `hold` keeps.
_HELD = "tonewatch_held_rows"


def hold(tx: Tx, rows: Iterable[object]) -> None:
    """Keep these rows in the session until the unit of work ends.

    A session keeps the rows it has read only weakly, and the core holds records, not rows: once
    storage has handed out a row's record the row would be dropped, and the next look-up of its id in
    the same transaction (the alert decision reading the message just analyzed, a write of the alert
    just locked) would select it again. Held, that look-up finds the row as this transaction read,
    locked and wrote it, without a query."""
    orm(tx).info.setdefault(_HELD, []).extend(rows)


@contextmanager
def transaction(engine: Engine) -> Iterator[Transaction]:
    """A unit of work that commits when its block ends and rolls back when it raises."""
    with session_scope(engine) as session:
        yield Transaction(session)


@contextmanager
def urgent_transaction(engine: Engine) -> Iterator[Transaction]:
    """`transaction` for a write someone is waiting on (a platform's ack); see `urgent_scope`."""
    with urgent_scope(engine) as session:
        yield Transaction(session)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Transaction]:
    """A unit of work that only reads and never waits for a writer; see `read_scope`."""
    with read_scope(engine) as session:
        yield Transaction(session)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def urgent_scope(engine: Engine) -> Iterator[Session]:
    """`session_scope` for a write someone is waiting on (a platform's ack): on SQLite it goes
    ahead of background writers in the queue for the one writer. Elsewhere it is a plain session."""
    with session_scope(engine.execution_options(**{URGENT: True})) as session:
        yield session


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reads only. On SQLite it never waits for the writer (WAL readers don't),
    which keeps lookups on a request's path out of the writers' queue; it must not write.

    On PostgreSQL it runs in autocommit: under READ COMMITTED each statement sees its own snapshot
    anyway, and the BEGIN and ROLLBACK round trips are saved."""
    options: dict = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def insert_for(tx: Tx, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING, for the session's database (both dialects
    spell it the same; SQLAlchemy's generic insert cannot)."""
    if orm(tx).get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
