"""One SQLAlchemy engine per process, for SQLite (embedded) or PostgreSQL."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from tenants.store import row_security

DEFAULT_DATABASE_URL = "sqlite:///./gongjian.db"
DATABASE_URL_SETTING = "GONGJIAN_DATABASE_URL"


WRITE_OPTION = "gongjian_write"


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_SQLITE_WRITERS_LOCK = threading.Lock()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """Open a transaction that will write (on SQLite: take the write lock at BEGIN)."""
    with _one_writer(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    # SQLite has one writer at a time. Threads of one process queue here for it, and
    # each is woken as the one before commits; left to SQLite's busy handler they
    # would poll with sleeps of up to 100 ms, and a few would wait for seconds.
    if not is_sqlite(engine):
        yield
        return
    with _SQLITE_WRITERS_LOCK:
        lock = _SQLITE_WRITERS.setdefault(engine, threading.RLock())
    with lock:
        yield


@contextmanager
def autocommit(engine: Engine) -> Iterator[Any]:
    """A pooled PostgreSQL connection (psycopg's own) in autocommit, for the hot path:
    each statement is its own transaction in one round trip, with no ``BEGIN`` before
    it and no ``ROLLBACK`` when the pool takes it back (psycopg drops its prepared
    statements at every rollback, so they would be prepared again each time)."""
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        connection.autocommit = True
        try:
            yield connection
        finally:
            connection.autocommit = False
    finally:
        pooled.close()


def database_url() -> str:
    """Return the configured database URL (the embedded SQLite file by default)."""
    return os.environ.get(DATABASE_URL_SETTING, DEFAULT_DATABASE_URL)


def make_engine(url: str | None = None, *, pool_size: int = 20) -> Engine:
    """Build the engine that every ledger, projector and query in a process shares."""
    parsed = make_url(url or database_url())
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        # FastAPI's thread pool runs 40 requests at once: size the pool for it.
        engine = create_engine(
            parsed, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800
        )
        row_security.install(engine)
        return engine
    if parsed.drivername.startswith("sqlite"):
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    raise ValueError(f"unsupported database URL: {parsed.drivername}")


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy so that BEGIN IMMEDIATE can be
        # issued below; pysqlite's own implicit BEGIN defers the write lock and
        # lets two appenders deadlock on upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writing transaction takes the write lock up front; readers don't.
        writes = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
