"""Reconcile the read models with the logs: rebuild a tenant's rows into scratch
tables with the projector's own code, and name every row and value of the live
rows that differs from them.

For each tenant, in one snapshot of the live database (REPEATABLE READ and read
only on PostgreSQL, narrowed to the tenant by row security; a read transaction on
SQLite): read the position its tracking row says the read models reflect, replay
its log up to that position into scratch copies of the read-model tables, and
compare them with its live rows table by table, by primary key, every column.
A projector running meanwhile commits rows and tracking together, so the snapshot
holds exactly the rows of that position: no false difference. A parked tenant is
compared up to where it stopped, and reported as parked.

Every column is compared: handlers write only what the events hold (times
included), so a rebuild reproduces each value, and none has to be excluded.

The scratch tables are never kept: on PostgreSQL they are temporary tables
(``pg_temp``, reached through SQLAlchemy's ``schema_translate_map``) created in a
transaction that is always rolled back, so they vanish with it, or with the session
if the process dies, and the application's role needs no right to create a schema;
on SQLite they are in a private in-memory database. The live rows are only read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    String,
    Table,
    create_engine,
    delete,
    func,
    insert,
    select,
    union,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from projections.folding import Fold, Target, take, write_rows
from projections.records import declared
from projections.runner import ALL_TABLES, PROJECTION, Projector
from projections.tables import events as feed
from projections.tables import read_metadata, record_events
from projections.temporal import SqlRows
from tenants.store import row_security
from tenants.store.schema import events as log
from tenants.store.schema import tenant_heads, tracking
from tenants.store.tracking import Parked, parked_tenants, tracked_position
from tenants.store.verify import all_tenant_ids

SHOWN = 10
"""Differences named per tenant; the rest are counted."""
SCRATCH_SCHEMA = "pg_temp"
# Every scratch write goes through SQLAlchemy statements, which the schema
# translation redirects: the fold's COPY and raw INSERTs name the live tables.
_THROUGH_SQLALCHEMY = Target("insert")
_READ_AHEAD = 1000  # rows fetched at a time when comparing


class ScratchUnavailable(Exception):
    """The database refuses the scratch tables (on PostgreSQL: no TEMPORARY privilege)."""


class Kind(StrEnum):
    """How a row differs."""

    VALUE = "value"  # in both, a column's values differ
    MISSING = "missing"  # the log makes it; the live rows lack it
    UNMADE = "unmade"  # in the live rows; the log does not make it


@dataclass(frozen=True)
class Difference:
    """One way a tenant's live rows differ from those its log makes."""

    table: str
    key: tuple[tuple[str, Any], ...]  # the primary key after tenant_id, by column
    kind: Kind
    column: str | None = None
    live: Any = None
    rebuilt: Any = None

    def __str__(self) -> str:
        key = ", ".join(f"{name}={_shown(value)}" for name, value in self.key)
        where = f"{self.table} key ({key})"
        if self.kind is Kind.MISSING:
            return f"{where}: live row missing"
        if self.kind is Kind.UNMADE:
            return f"{where}: live row not made by the log"
        live, rebuilt = _shown(self.live), _shown(self.rebuilt)
        return f"{where}: column {self.column} live {live} rebuilt {rebuilt}"


@dataclass
class TenantReconciliation:
    """What comparing one tenant's live read models with its rebuilt ones found."""

    tenant_id: str
    position: int  # the position compared at: the one the live tracking row holds
    head: int  # the log's head position (past ``position`` while the projector lags)
    rows: dict[str, int] = field(default_factory=dict)  # live rows compared, by table
    differences: list[Difference] = field(default_factory=list)  # the first ``SHOWN``
    different: int = 0  # how many differences in all
    problem: str | None = None  # why the log could not be replayed to ``position``
    parked: Parked | None = None

    @property
    def matches(self) -> bool:
        """Whether the live rows are exactly those the log makes."""
        return self.problem is None and self.different == 0

    def lines(self) -> list[str]:
        """The report: one line if the rows match, else one per difference shown."""
        tenant = self.tenant_id
        at = f"position {self.position}" + (
            f" of {self.head}" if self.head != self.position else ""
        )
        count = f"{sum(self.rows.values())} rows in {len(self.rows)} tables match at {at}"
        stopped = ""
        if self.parked is not None:
            error = self.parked.error.splitlines()[0] if self.parked.error else ""
            stopped = f"parked at position {self.parked.position}: {_cut(error, 200)}"
        if self.matches:
            if self.parked is not None:
                return [f"parked {tenant}: {count}; {stopped}"]
            return [f"ok   {tenant}: {count}"]
        lines = [f"FAIL {tenant}: {self.problem}"] if self.problem else []
        lines += [f"FAIL {tenant}: {difference}" for difference in self.differences]
        rest = self.different - len(self.differences)
        if rest:
            lines.append(f"FAIL {tenant}: … and {rest} more difference(s)")
        if self.parked is not None:
            lines.append(f"parked {tenant}: {stopped}")
        return lines


def known_tenants(engine: Engine) -> list[str]:
    """Every tenant to reconcile: those with a log (as ``gongjian verify`` finds
    them), a tracking row, or any read-model row, so that rows made up for a tenant
    without a log are found too."""
    found = set(all_tenant_ids(engine))
    query = union(
        select(tracking.c.tenant_id).where(tracking.c.projection == PROJECTION),
        *(select(table.c.tenant_id).distinct() for table in ALL_TABLES),
    )
    with engine.connect() as conn, conn.begin():
        _narrow(conn, row_security.EVERY_TENANT)
        found.update(conn.execute(query).scalars())
    return sorted(found)


def reconcile(projector: Projector, tenant_id: str, shown: int = SHOWN) -> TenantReconciliation:
    """Rebuild the tenant's read models into scratch tables up to the position its
    live tracking row holds, and compare them with its live rows."""
    engine = projector.engine
    with _snapshot(engine, tenant_id) as live, _scratch(engine) as scratch:
        position = tracked_position(live, tenant_id, PROJECTION)
        head = live.execute(
            select(tenant_heads.c.position).where(tenant_heads.c.tenant_id == tenant_id)
        ).scalar()
        parked = parked_tenants(live, PROJECTION, tenant_id)
        found = TenantReconciliation(
            tenant_id, position, int(head or 0), parked=parked[0] if parked else None
        )
        try:
            replayed = _rebuild(projector, live, scratch, tenant_id, position)
        except _Unreplayable as error:
            found.problem = str(error)
            return found
        if replayed < position:
            found.problem = (
                f"es_tracking: position {position} is past the log's last event ({replayed})"
            )
        for table in ALL_TABLES:
            _compare(live, scratch, table, tenant_id, found, shown)
        return found


class _Unreplayable(Exception):
    """An event the projection code cannot apply now, though the live rows were made
    from it (the projection changed since, or the log did)."""

    def __init__(self, position: int, error: Exception) -> None:
        super().__init__(
            f"the log cannot be replayed at position {position}: "
            f"{type(error).__name__}: {_cut(str(error), 200)}"
        )


@contextmanager
def _snapshot(engine: Engine, tenant_id: str) -> Iterator[Connection]:
    """One read-only snapshot of the live database, narrowed to the tenant."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Reset when the connection goes back to the pool.
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            # The application's role sees rows only of the tenants its transaction
            # names (row security); a session that named none would see no row at all.
            _narrow(conn, tenant_id)
            yield conn


def _narrow(conn: Connection, tenants: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.set_config(row_security.SETTING, tenants, True)))


@contextmanager
def _scratch(engine: Engine) -> Iterator[Connection]:
    """A connection on which the read-model tables are empty scratch copies; they
    are gone afterwards, whatever happens."""
    if engine.dialect.name == "sqlite":
        memory = create_engine("sqlite://", poolclass=StaticPool)
        try:
            with memory.connect() as conn:
                yield from _scratch_tables(conn)
        finally:
            memory.dispose()
        return
    translated = engine.execution_options(schema_translate_map={None: SCRATCH_SCHEMA})
    with translated.connect() as conn:
        # Temporary tables shadow the live ones for unqualified names in this session
        # too: nothing on this connection reaches a live row.
        yield from _scratch_tables(conn)


def _scratch_tables(conn: Connection) -> Iterator[Connection]:
    transaction = conn.begin()
    try:
        try:
            read_metadata.create_all(conn, tables=ALL_TABLES, checkfirst=False)
        except DBAPIError as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            raise ScratchUnavailable(
                f"cannot create the scratch tables (temporary tables, which need the "
                f"TEMPORARY privilege on the database): {reason}"
            ) from error
        yield conn
    finally:
        # Never committed: the scratch tables vanish with the transaction.
        if transaction.is_active:
            transaction.rollback()


def _rebuild(
    projector: Projector, live: Connection, scratch: Connection, tenant_id: str, through: int
) -> int:
    """Replay the tenant's log up to ``through`` into the scratch tables as the
    projector would from nothing (folded in memory unless it does not fold, and
    event by event where the fold cannot); return the last position replayed."""
    if projector.fold:
        replayed = _fold(projector, live, scratch, tenant_id, through)
        if replayed is not None:
            return replayed
    for table in ALL_TABLES:
        scratch.execute(delete(table))
    return _by_event(projector, live, scratch, tenant_id, through)


def _fold(
    projector: Projector, live: Connection, scratch: Connection, tenant_id: str, through: int
) -> int | None:
    """Fold the log in memory, writing each chunk's rows; None if the fold cannot
    apply an event exactly as the per-event path would."""
    fold = Fold(tenant_id)
    keys = projector.mapper.reading(tenant_id)
    for rows in _log(live, tenant_id, through, projector.fold_chunk):
        try:
            for row in rows:
                projector.apply(fold.rows, keys, row, fold.feed, fold.index)
        except Exception:  # as the runner does: the per-event path decides
            return None
        fold.folded = rows[-1].position
        write_rows(scratch, [take(fold, _THROUGH_SQLALCHEMY, scratch.dialect)], _THROUGH_SQLALCHEMY)
    return fold.folded


def _by_event(
    projector: Projector, live: Connection, scratch: Connection, tenant_id: str, through: int
) -> int:
    """Apply the log event by event with statements on the scratch tables."""
    backend = SqlRows(scratch)
    keys = projector.mapper.reading(tenant_id)
    replayed = 0
    for rows in _log(live, tenant_id, through, projector.batch_size):
        events: list[dict[str, Any]] = []
        index: list[dict[str, Any]] = []
        for row in rows:
            try:
                projector.apply(backend, keys, row, events, index)
            except Exception as error:
                raise _Unreplayable(row.position, error) from error
        scratch.execute(insert(feed), events)
        scratch.execute(insert(record_events), index)
        replayed = rows[-1].position
    return replayed


def _log(live: Connection, tenant_id: str, through: int, size: int) -> Iterator[Sequence[Row[Any]]]:
    """The tenant's events up to ``through``, in order, ``size`` at a time."""
    after = 0
    c = log.c
    while after < through:
        rows = live.execute(
            select(c.position, c.originator_id, c.originator_version, c.topic, c.state)
            .where(c.tenant_id == tenant_id, c.position > after, c.position <= through)
            .order_by(c.position)
            .limit(size)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].position


def _compare(
    live: Connection,
    scratch: Connection,
    table: Table,
    tenant_id: str,
    found: TenantReconciliation,
    shown: int,
) -> None:
    """Merge the table's live and rebuilt rows of the tenant, both in key order."""
    key = [column.name for column in table.primary_key.columns]
    named = _named_key(table)
    columns = [column.name for column in table.columns]
    query = select(table).where(table.c.tenant_id == tenant_id).order_by(*_key_order(table, live))
    options = {"yield_per": _READ_AHEAD}
    live_rows = iter(live.execute(query, execution_options=options).mappings())
    rebuilt_rows = iter(scratch.execute(query, execution_options=options).mappings())
    a, b = next(live_rows, None), next(rebuilt_rows, None)
    compared = 0

    def note(kind: Kind, row: RowMapping, **values: Any) -> None:
        found.different += 1
        if len(found.differences) < shown:
            where = tuple((name, row[name]) for name in named)
            found.differences.append(Difference(table.name, where, kind, **values))

    while a is not None or b is not None:
        if b is None or (a is not None and _sortable(a, key) < _sortable(b, key)):
            assert a is not None
            compared += 1
            note(Kind.UNMADE, a)
            a = next(live_rows, None)
        elif a is None or _sortable(b, key) < _sortable(a, key):
            note(Kind.MISSING, b)
            b = next(rebuilt_rows, None)
        else:
            compared += 1
            for column in columns:
                if a[column] != b[column]:
                    note(Kind.VALUE, a, column=column, live=a[column], rebuilt=b[column])
            a, b = next(live_rows, None), next(rebuilt_rows, None)
    if compared:
        found.rows[table.name] = compared


def _named_key(table: Table) -> list[str]:
    """The key columns a report names: the tenant's own row by tenant_id, every
    other row by its key after tenant_id."""
    record = next((record for record in declared() if record.table is table), None)
    if record is None:  # a table not declared as a read record (the search index)
        return [c.name for c in table.primary_key.columns if c.name != "tenant_id"]
    return [*record.key_columns, *(["valid_from"] if record.temporal else [])]


def _key_order(table: Table, conn: Connection) -> list[ColumnElement[Any]]:
    """The primary key, ordered as Python orders its values: text by code point
    (byte order of UTF-8), which PostgreSQL's collation "C" gives and SQLite's
    default one does."""
    order: list[ColumnElement[Any]] = []
    for column in table.primary_key.columns:
        if isinstance(column.type, String) and conn.dialect.name == "postgresql":
            order.append(column.collate("C"))
        else:
            order.append(column)
    return order


def _sortable(row: RowMapping, key: list[str]) -> tuple[tuple[int, Any], ...]:
    """The row's key, comparable whatever its values' types: SQLite stores what it is
    given, and orders numbers before text before bytes."""
    return tuple(_ranked(row[name]) for name in key)


def _ranked(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float):
        return (0, value)
    return (1, value) if isinstance(value, str) else (2, value)


def _shown(value: Any) -> str:
    """A value as a report line shows it: short, and JSON as JSON."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _cut(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), 80)
    if isinstance(value, str):
        return repr(_cut(value, 80))
    return repr(value)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
