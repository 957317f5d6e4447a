"""Folding a tenant's log in memory: read models rebuilt without a round trip per event.

A tenant whose read models are empty (a new tenant, or every tenant after a
rebuild cleared them) is projected by folding: its log is read in large
chunks, the same handlers apply each event to ``MemoryRows``, and the rows are
written in bulk (one insert per table for a group of small tenants, or for one
chunk of a long log) together with the feed, the history index and each
tenant's tracking position, in one transaction.

Rows closed before they are written are written once, already closed; current
rows stay in memory after they are written, and when a later chunk closes one,
its ``valid_to`` is written with that chunk. So tracking always covers exactly
the rows written, and the rows are those the per-event path would have left.

The bulk writes hand the driver the very values SQLAlchemy would (each column
type's bind processor applied), through the cheapest statement that stores them
alike: one ``executemany`` on SQLite; ``COPY`` on PostgreSQL when the values are
of the column's own Python type (a text cast could spell others differently)
and row security does not forbid it, else the ordinary multi-row ``INSERT``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    Integer,
    Null,
    String,
    Table,
    TypeDecorator,
    Update,
    bindparam,
    insert,
    text,
    update,
)

from projections.memory import MemoryRows
from projections.tables import events, record_events
from tenants.store.tracking import advance_tracking

CHUNK = 10_000
"""Events of one tenant read at once; a longer log is written a chunk per
transaction, which bounds the memory held for closed rows and the feed."""
GROUP = 5_000
"""Events of small tenants written together, in one transaction: enough to
amortise its round trips."""

Processor = Callable[[Any], Any]
# The Python types COPY writes as the INSERT's typed parameter would be stored.
_OWN_TYPES: list[tuple[type[Any], frozenset[type[Any]]]] = [
    (Boolean, frozenset({bool})),
    (BigInteger, frozenset({int})),
    (Integer, frozenset({int})),
    (DateTime, frozenset({datetime})),
    (Date, frozenset({date})),
    (String, frozenset({str})),  # Text too
]
_ROW_SECURITY = text(
    "SELECT bool_or(row_security_active(name)) FROM unnest(CAST(:names AS text[])) AS name"
)


class _Layout:
    """How one table's rows become driver values on one dialect."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(table.c.keys()))
        names = list(compiled.positiontup or table.c.keys())
        self.values: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*names)
        self.insert = compiled.string
        # As SQLAlchemy's executemany would: each type's bind processor (those
        # that encode, remembered per value: successive versions of a row share them).
        self.processors: list[tuple[int, Processor, bool]] = []
        # For COPY: JSON encoded as SQLAlchemy's JSON type does, every other value
        # as it is, provided it has its column's own Python type (or is None).
        self.json_columns: list[tuple[int, Processor]] = []
        self.own_types: list[tuple[int, frozenset[type[Any]]]] = []
        self.copyable = True
        for n, name in enumerate(names):
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            column_type = _stored_type(table.c[name].type)
            if processor is not None:
                encodes = isinstance(column_type, JSON | DateTime | Date)
                self.processors.append((n, processor, encodes))
            own = next((t for kind, t in _OWN_TYPES if isinstance(column_type, kind)), None)
            if own is not None:
                self.own_types.append((n, own | {type(None)}))
            elif isinstance(column_type, JSON) and not column_type.none_as_null:
                serializer = getattr(dialect, "_json_serializer", None) or json.dumps
                self.json_columns.append((n, _json_text(serializer)))
            else:
                self.copyable = False  # a type not checked here: INSERT it
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in names)
        self.copy = f"COPY {quote(table.name)} ({columns}) FROM STDIN"

    def driver_rows(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The values SQLAlchemy would hand the driver, in the statement's order."""
        processors = [
            (n, _once(process) if encodes else process) for n, process, encodes in self.processors
        ]
        return self._convert(rows, processors)

    def copy_rows(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]] | None:
        """The values COPY writes as the INSERT stores them; None if a value is not
        of its column's own type (the INSERT's cast might spell it otherwise)."""
        converted = self._convert(rows, [(n, _once(encode)) for n, encode in self.json_columns])
        columns = list(zip(*converted, strict=True))
        if not columns:
            return converted
        for n, own in self.own_types:
            if not set(map(type, columns[n])) <= own:
                return None
        return converted

    def _convert(
        self, rows: list[dict[str, Any]], processors: list[tuple[int, Processor]]
    ) -> list[tuple[Any, ...]]:
        values = self.values
        if not processors:
            return [values(row) for row in rows]
        converted = []
        for row in rows:
            out = list(values(row))
            for n, processor in processors:
                out[n] = processor(out[n])
            converted.append(tuple(out))
        return converted


def _stored_type(column_type: Any) -> Any:
    """The type a column's values are stored as: a decorated type's own, when the
    decoration only changes how values are read back (``UtcDateTime``)."""
    if not isinstance(column_type, TypeDecorator):
        return column_type
    if type(column_type).process_bind_param is not TypeDecorator.process_bind_param:
        return None  # values change on the way in: not a type checked here
    return column_type.impl_instance


def _json_text(serializer: Callable[[Any], str]) -> Processor:
    """SQLAlchemy's JSON bind processing, as text: SQL NULL (``null()``) stays
    NULL, None and ``JSON.NULL`` are JSON null."""

    def encode(value: Any) -> str | None:
        if isinstance(value, Null):
            return None
        if value is JSON.NULL:
            value = None
        return serializer(value)

    return encode


def _once(encode: Processor) -> Processor:
    """``encode``, remembered by the value's identity: successive versions of a
    row share their values. (Used for one column of one batch of rows: the values
    outlive it, so an identity is never reused meanwhile.)"""
    encoded: dict[int, Any] = {}

    def once(value: Any) -> Any:
        key = id(value)
        if key not in encoded:
            encoded[key] = encode(value)
        return encoded[key]

    return once


@cache
def _layout(table: Table, dialect: Dialect) -> _Layout:
    return _Layout(table, dialect)


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]], copy: bool) -> None:
    """Insert rows holding every column, as ``conn.execute(insert(table), rows)`` would."""
    layout = _layout(table, conn.dialect)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(layout.insert, layout.driver_rows(rows))
        return
    values = layout.copy_rows(rows) if copy and layout.copyable else None
    if values is None:
        conn.execute(insert(table), rows)
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(layout.copy) as writing:
        for row in values:
            writing.write_row(row)


def may_copy(conn: Connection, tables: list[Table]) -> bool:
    """Whether COPY may write these tables: PostgreSQL refuses it where row
    security applies (to the application's role; owners bypass it)."""
    if conn.dialect.name != "postgresql":
        return False
    names = [table.name for table in tables]
    return not conn.execute(_ROW_SECURITY, {"names": names}).scalar()


@cache
def _end(table: Table) -> Update:
    key = [column == bindparam(f"key_{column.name}") for column in table.primary_key.columns]
    return update(table).where(*key).values(valid_to=bindparam("closing_position"))


class Fold:
    """One tenant's log being folded: its rows in memory, with the feed and
    history index rows not yet written."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.rows = MemoryRows(tenant_id)
        self.feed: list[dict[str, Any]] = []
        self.index: list[dict[str, Any]] = []
        self.written = 0  # the position the written rows reflect (and tracking holds)
        self.folded = 0  # the position the rows in memory reflect

    @property
    def unwritten(self) -> int:
        """Events folded and not yet written."""
        return len(self.feed)


def write_folds(conn: Connection, folds: list[Fold], projection: str) -> int:
    """Write what the folds' events changed, one bulk insert per table for all of
    them, and move each tenant's tracking to its last event; return how many
    events that covers. The caller holds each tenant's tracking claim."""
    pending: dict[Table, list[dict[str, Any]]] = {}
    ended: dict[Table, list[dict[str, Any]]] = {}
    feed: list[dict[str, Any]] = []
    index: list[dict[str, Any]] = []
    for fold in folds:
        for table, held in fold.rows.tables.items():
            pending.setdefault(table, []).extend(held.take_unwritten())
            ended.setdefault(table, []).extend(
                {
                    **{f"key_{name}": row[name] for name in held.pk},
                    "closing_position": row["valid_to"],
                }
                for row in held.take_ended()
            )
        feed.extend(fold.feed)
        index.extend(fold.index)
    copy = may_copy(conn, [*pending, events, record_events])
    for table, rows in pending.items():
        if rows:
            bulk_insert(conn, table, rows, copy)
    for table, keys in ended.items():
        if keys:
            conn.execute(_end(table), keys)
    if feed:
        bulk_insert(conn, events, feed, copy)
        bulk_insert(conn, record_events, index, copy)
    for fold in folds:
        advance_tracking(conn, fold.tenant_id, projection, fold.folded)
        fold.written = fold.folded
        fold.feed, fold.index = [], []
    return len(feed)
