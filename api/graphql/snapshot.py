"""One connection and one transaction for all the reads of a GraphQL request.

A page's loaders used to check a connection out of the pool each (ten or more per
page, each reset on return). A request now reads through one ``Snapshot``: the
connection is taken at the first read and given back when the request ends. Its
one transaction is REPEATABLE READ on PostgreSQL (and a WAL snapshot on SQLite), so
every loader of the page sees the same committed state. A request that waits for a
position reads at READ COMMITTED instead, a connection per read as before: the
rows it waits for are committed after its transaction would have begun, and it
must not hold a pooled connection while it waits.

A request holds its connection while it runs, so the router lets only a few
requests run at once per process (``GONGJIAN_GRAPHQL_CONCURRENCY``); the rest
queue for a slot, not for a connection. The work is mostly Python under one GIL:
running more at once would not finish any sooner, only all later.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


class Held:
    """Reads through one connection its owner holds (and closes)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """The held connection, left open."""
        yield self.connection


class Snapshot:
    """A request's reads: one connection, taken lazily, used by one thread at a time."""

    def __init__(self, engine: Engine, *, consistent: bool = True) -> None:
        self.engine = engine
        self.consistent = consistent and engine.dialect.name == "postgresql"
        # Whether every read shares one connection (and, on both databases, one
        # transaction: SQLite in WAL mode reads a snapshot from its BEGIN on).
        self.held = True
        # Loaders run in worker threads, several at once; a connection is not
        # thread-safe, so each read holds it until its rows are fetched.
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._closed = False
        self.time_limit: float | None = None  # seconds any one statement may run

    def read_committed(self) -> None:
        """Read each statement's latest commits (for a request that waits for rows)."""
        if self._connection is not None:
            raise RuntimeError("the request's transaction has begun")
        self.consistent = False
        self.held = False

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """The request's connection, for one read (it stays open for the next)."""
        if not self.held:
            # Reading latest commits, a held connection buys nothing; a request that
            # waits for a position must not hold one from the pool while it waits.
            with self.engine.connect() as connection:
                yield connection
            return
        with self._lock:
            if self._closed:
                raise RuntimeError("the request has ended")
            if self._connection is None:
                connection = self.engine.connect()
                if self.consistent:
                    connection.execution_options(isolation_level="REPEATABLE READ")
                if self.time_limit is not None and self.engine.dialect.name == "postgresql":
                    # A read the request abandoned at its time limit stops in the server too.
                    milliseconds = int(self.time_limit * 1000)
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                self._connection = connection
            yield self._connection

    def close(self) -> None:
        """End the transaction and give the connection back (waits for a read still
        running in a thread, e.g. one a timed-out request abandoned)."""
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
                self._connection = None
