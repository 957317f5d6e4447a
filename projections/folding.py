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

What a fold changed is taken from it as a ``Piece`` (``take``), its rows already
converted, so that the piece can be written while the fold goes on changing
(the runner writes it from another thread on PostgreSQL). The bulk writes hand
the driver the very values SQLAlchemy would (each column type's bind processor
applied), through the cheapest statement that stores them alike (``Target``):
one ``executemany`` on SQLite; on PostgreSQL ``COPY`` when the values are of
the column's own Python type (a text cast could spell others differently) —
into the table, or, where row security forbids that (the application's role),
into a temporary table whose rows one ``INSERT ... SELECT`` then moves, row
security checking each — else the ordinary multi-row ``INSERT``. Large values
are compressed with lz4 where the server has it: the same values, read back
alike, compressed several times faster than with the default pglz (each version
of an evaluation repeats its rubric, ~5 kB of JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
from tenants.store.tracking import advance_tracking, claim_tracking

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
        self.name = quote(table.name)
        self.copy = f"COPY {self.name} ({columns}) FROM STDIN"
        # Row security forbids COPY into the table: into a temporary one instead.
        self.stage = quote(f"fold_{table.name}")
        self.copy_stage = f"COPY {self.stage} ({columns}) FROM STDIN"
        self.move = (
            f"WITH moved AS (DELETE FROM {self.stage} RETURNING {columns})"
            f" INSERT INTO {self.name} ({columns}) SELECT {columns} FROM moved"
        )

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


@dataclass(frozen=True)
class Target:
    """How a fold's rows reach PostgreSQL or SQLite (decided once per run, by
    ``write_target``)."""

    mode: str
    """``sqlite``: one ``executemany``; ``copy``: ``COPY`` into the table; ``stage``:
    ``COPY`` into a temporary table, then ``INSERT ... SELECT`` (where row security
    forbids ``COPY``); ``insert``: SQLAlchemy's multi-row ``INSERT``."""
    lz4: bool = False
    """Whether the server compresses large values with lz4 (else pglz, several
    times slower to compress the rubric each evaluation version repeats)."""


_CAPABILITIES = text(
    "SELECT bool_or(row_security_active(name)),"
    " has_database_privilege(current_database(), 'TEMPORARY'),"
    " (SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
    "  WHERE name = 'default_toast_compression')"
    " FROM unnest(CAST(:names AS text[])) AS name"
)


def write_target(conn: Connection, tables: list[Table]) -> Target:
    """How rows are best written to these tables on this connection: PostgreSQL
    refuses ``COPY`` where row security applies (to the application's role; owners
    bypass it), but not into a temporary table of the role's own."""
    if conn.dialect.name == "sqlite":
        return Target("sqlite")
    if conn.dialect.name != "postgresql":
        return Target("insert")
    names = [table.name for table in tables]
    secured, may_stage, lz4 = conn.execute(_CAPABILITIES, {"names": names}).one()
    mode = "stage" if may_stage else "insert"
    return Target(mode if secured else "copy", bool(lz4))


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
        self.written = 0  # the position the rows taken for writing reflect
        self.folded = 0  # the position the rows in memory reflect

    @property
    def unwritten(self) -> int:
        """Events folded and not yet taken for writing."""
        return len(self.feed)


@dataclass
class Piece:
    """What one fold's events since its last piece changed, as the driver takes
    it: new rows per table (values for the target's statement, and rows for
    SQLAlchemy's ``INSERT`` where a value's type rules ``COPY`` out), closing
    positions of rows written earlier, and the tracking move."""

    tenant_id: str
    after: int  # the tracking position these rows follow
    through: int  # the tracking position they bring the tenant to
    events: int
    values: dict[Table, list[tuple[Any, ...]]] = field(default_factory=dict)
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    ended: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)


def take(fold: Fold, target: Target, dialect: Dialect) -> Piece:
    """Take what the fold changed since it was last taken, converted now: the rows
    held in memory go on changing (a current row may be closed by a later event)
    while the piece waits to be written."""
    piece = Piece(fold.tenant_id, fold.written, fold.folded, len(fold.feed))
    new = [(table, held.take_unwritten()) for table, held in fold.rows.tables.items()]
    for table, rows in [*new, (events, fold.feed), (record_events, fold.index)]:
        if not rows:
            continue
        layout = _layout(table, dialect)
        values = None
        if target.mode == "sqlite":
            values = layout.driver_rows(rows)
        elif target.mode != "insert" and layout.copyable:
            values = layout.copy_rows(rows)
        if values is None:
            piece.rows[table] = [dict(row) for row in rows]
        else:
            piece.values[table] = values
    for table, held in fold.rows.tables.items():
        if ended := held.take_ended():
            piece.ended[table] = [
                {
                    **{f"key_{name}": row[name] for name in held.pk},
                    "closing_position": row["valid_to"],
                }
                for row in ended
            ]
    fold.written = fold.folded
    fold.feed, fold.index = [], []
    return piece


def write_pieces(
    conn: Connection,
    pieces: list[Piece],
    target: Target,
    projection: str,
    claimed: Callable[[Connection, list[str]], None] | None = None,
) -> tuple[int, list[str]]:
    """Write the pieces of the tenants whose tracking this transaction claims at
    the position each piece follows, one bulk insert per table for all of them,
    and move each one's tracking; return how many events that covers and the
    tenants not written (claimed by another runner, or moved on meanwhile).
    ``claimed`` is called with the claimed tenants before anything is written (it
    may refuse the transaction by raising)."""
    written: list[Piece] = []
    lost: list[str] = []
    for piece in pieces:
        if claim_tracking(conn, piece.tenant_id, projection) == piece.after:
            written.append(piece)
        else:
            lost.append(piece.tenant_id)
    if claimed is not None:
        claimed(conn, [piece.tenant_id for piece in written])
    write_rows(conn, written, target)
    for piece in written:
        advance_tracking(conn, piece.tenant_id, projection, piece.through)
    return sum(piece.events for piece in written), lost


def write_rows(conn: Connection, pieces: list[Piece], target: Target) -> None:
    """Write the pieces' new rows, one bulk insert per table for all of them, and
    close the rows they ended (tracking is the caller's)."""
    if target.lz4:
        conn.exec_driver_sql("SET LOCAL default_toast_compression = lz4")
    values: dict[Table, list[tuple[Any, ...]]] = {}
    rows: dict[Table, list[dict[str, Any]]] = {}
    ended: dict[Table, list[dict[str, Any]]] = {}
    for piece in pieces:
        for table, held in piece.values.items():
            values.setdefault(table, []).extend(held)
        for table, dicts in piece.rows.items():
            rows.setdefault(table, []).extend(dicts)
        for table, keys in piece.ended.items():
            ended.setdefault(table, []).extend(keys)
    for table, held in values.items():
        _write_values(conn, table, held, target)
    for table, dicts in rows.items():
        conn.execute(insert(table), dicts)
    for table, keys in ended.items():
        conn.execute(_end(table), keys)


def _write_values(
    conn: Connection, table: Table, values: list[tuple[Any, ...]], target: Target
) -> None:
    layout = _layout(table, conn.dialect)
    if target.mode == "sqlite":
        conn.exec_driver_sql(layout.insert, values)
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor:
        if target.mode == "stage":
            # Created once per session; emptied by the statement that moves its rows
            # (and at commit, should a failed statement leave any behind).
            cursor.execute(
                f"SET LOCAL client_min_messages = warning;"
                f" CREATE TEMPORARY TABLE IF NOT EXISTS {layout.stage}"
                f" (LIKE {layout.name}) ON COMMIT DELETE ROWS"
            )
        with cursor.copy(layout.copy_stage if target.mode == "stage" else layout.copy) as copy:
            for row in values:
                copy.write_row(row)
        if target.mode == "stage":
            # Row security checks each row as the INSERT writes it; the values are
            # the temporary table's, already of the column's type (JSON parsed once).
            cursor.execute(layout.move)
