"""Count a command's round trips to PostgreSQL and its pool checkouts, in process.

The command runs as the HTTP route runs it (authenticate the bearer token, then the
pipeline), in one thread, with libpq's protocol trace on every connection of the
engine: each ``ReadyForQuery`` the server sends ends one round trip, and the
statement that began it names it. SQLAlchemy's pool events count the checkouts.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from psycopg import pq
from sqlalchemy import Engine, event

from api.platform import Platform
from tenants.messages import Message

_QUERY = re.compile(r'^F\t\d+\tQuery\t "(?P<sql>.*)"$')
_PARSE = re.compile(r'^F\t\d+\tParse\t "(?P<name>[^"]*)" "(?P<sql>.*?)"(?: \d+.*)?$')
_BIND = re.compile(r'^F\t\d+\tBind\t "[^"]*" "(?P<name>[^"]*)"')


def _label(sql: str) -> str:
    return " ".join(sql.split())[:90]


def _messages(trace: str) -> list[str]:
    """The trace's messages, one a line (a statement's own line breaks joined)."""
    messages: list[str] = []
    for line in trace.splitlines():
        if line[:2] in ("F\t", "B\t") or not messages:
            messages.append(line)
        else:
            messages[-1] += " " + line
    return messages


def round_trips_of(trace: str) -> list[str]:
    """One label per round trip in a connection's libpq trace."""
    named: dict[str, str] = {}
    trips: list[str] = []
    current: str | None = None
    for line in _messages(trace):
        if m := _QUERY.match(line):
            current = current or _label(m["sql"])
        elif m := _PARSE.match(line):
            named[m["name"]] = _label(m["sql"])
            # A named statement is prepared on the server (an unnamed one is only the
            # extended protocol's first step, sent with its Bind).
            prepared = f"prepare: {named[m['name']]}" if m["name"] else named[m["name"]]
            current = current or prepared
        elif m := _BIND.match(line):
            current = current or named.get(m["name"], "(unnamed)")
        elif "\tReadyForQuery\t" in line:
            trips.append(current or "(none)")
            current = None
    return trips


class Traces:
    """libpq's protocol trace of each connection an engine opens, a file each."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.files: list[Any] = []
        # Every connection's round trips, read once the block has closed them (libpq
        # writes the rest of a trace when its connection closes).
        self.closed: dict[str, list[str]] = {}

    def trace(self, dbapi_connection: Any, _record: Any) -> None:
        """Trace a new connection (an engine ``connect`` listener)."""
        file = Path(self.folder, f"{len(self.files)}.trace").open("w")  # noqa: SIM115 - closed by traced
        self.files.append(file)
        dbapi_connection.pgconn.trace(file.fileno())
        dbapi_connection.pgconn.set_trace_flags(
            pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
        )

    def round_trips(self) -> dict[str, list[str]]:
        """Each connection's round trips so far, by its trace file (what libpq has
        written: all of it only once the connection closed, ``closed``)."""
        for file in self.files:
            file.flush()
        return {f.name: round_trips_of(Path(f.name).read_text()) for f in self.files}


@contextmanager
def traced(engine: Engine) -> Iterator[Traces]:
    """Trace every connection ``engine`` opens within the block; its pool is emptied
    before and after, so that every connection used is new and traced from its start."""
    engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        traces = Traces(folder)
        event.listen(engine, "connect", traces.trace)
        try:
            yield traces
        finally:
            event.remove(engine, "connect", traces.trace)
            engine.dispose()
            traces.closed = traces.round_trips()
            for file in traces.files:
                file.close()


def count(
    platform: Platform,
    token: str,
    tenant: str,
    message: Message,
    n: int = 50,
    *,
    keyed: bool = False,
) -> None:
    """Run ``message`` ``n`` times after a warm-up (``keyed``: each with a new
    Idempotency-Key); print round trips and checkouts per command, and the statements
    behind them."""
    engine: Engine = platform.engine
    authorization = f"Bearer {token}"

    def once() -> None:
        principal = platform.authenticator.principal(authorization)
        key = uuid4().hex if keyed else None
        platform.pipeline.handle(principal, message, tenant, idempotency_key=key)

    for _ in range(5):
        once()  # caches warm, statements prepared, as in a running server
    checkouts = 0

    def checked_out(*_: Any) -> None:
        nonlocal checkouts
        checkouts += 1

    with traced(engine) as traces:
        event.listen(engine, "checkout", checked_out)
        try:
            once()  # the connections are made (and their set-up traced) here
            skip = {name: len(done) for name, done in traces.round_trips().items()}
            checkouts = 0
            for _ in range(n):
                once()
        finally:
            event.remove(engine, "checkout", checked_out)
    trips: Counter[str] = Counter()
    for name, done in traces.closed.items():
        trips.update(done[skip.get(name, 0) :])
    total = sum(trips.values())
    print(
        f"per command ({n} in one thread, as the route runs them"
        f"{', each with an Idempotency-Key' if keyed else ''}): {total / n:.1f} round trips "
        f"to PostgreSQL, {checkouts / n:.1f} pool checkouts"
    )
    for label, times in trips.most_common():
        print(f"  {times / n:5.2f}  {label}")
