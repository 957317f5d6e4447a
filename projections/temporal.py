"""Temporal read-model rows: each row is valid for a range of log positions.

A row holds ``valid_from`` (the position that wrote it) and ``valid_to`` (the
position that replaced or removed it; NULL while current). Handlers never
update or delete in place: ``change`` closes the current row and writes its
successor, so "state as of position P" is an indexed filter, not a replay.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Delete,
    Insert,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)

if TYPE_CHECKING:
    from projections.context import Applied


def temporal_columns() -> list[Column[Any]]:
    """The two columns every temporal table carries."""
    return [Column("valid_from", BigInteger, nullable=False), Column("valid_to", BigInteger)]


def current(table: Table) -> ColumnElement[bool]:
    """Rows valid now."""
    return table.c.valid_to.is_(None)


def visible_at(table: Table, position: int | None) -> ColumnElement[bool]:
    """Rows valid at a log position (None: now)."""
    if position is None:
        return current(table)
    return and_(
        table.c.valid_from <= position, or_(table.c.valid_to.is_(None), table.c.valid_to > position)
    )


# Statements are built once per table with bind parameters: building a fresh
# statement per row costs more Python time than the database work it asks for.


@cache
def _insert(table: Table) -> Insert:
    return insert(table)


@cache
def _by_key(table: Table) -> list[ColumnElement[bool]]:
    return [column == bindparam(f"key_{column.name}") for column in table.primary_key.columns]


@cache
def _update_by_key(table: Table) -> Update:
    return update(table).where(*_by_key(table))


@cache
def _delete_by_key(table: Table) -> Delete:
    return delete(table).where(*_by_key(table))


@cache
def _close_record(table: Table, id_column: str) -> Any:
    return (
        update(table)
        .where(
            table.c.tenant_id == bindparam("key_tenant"),
            table.c[id_column] == bindparam("key_record"),
            current(table),
            table.c.valid_from < bindparam("key_position"),
        )
        .values(valid_to=bindparam("key_position"))
        .returning(*table.c)
    )


@cache
def _amend_record(table: Table, id_column: str) -> Update:
    return update(table).where(
        table.c.tenant_id == bindparam("key_tenant"),
        table.c[id_column] == bindparam("key_record"),
        current(table),
        table.c.valid_from == bindparam("key_position"),
    )


def add(a: Applied, table: Table, **values: Any) -> None:
    """Write a new row, valid from this event."""
    a.conn.execute(_insert(table), {**values, "valid_from": a.position})


def add_many(a: Applied, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write several new rows, valid from this event."""
    if rows:
        a.conn.execute(_insert(table), [{**row, "valid_from": a.position} for row in rows])


def _key(table: Table, row: Any) -> dict[str, Any]:
    return {f"key_{column.name}": row[column.name] for column in table.primary_key.columns}


def _succeed(a: Applied, table: Table, rows: list[Any], values: dict[str, Any]) -> int:
    for row in rows:
        if row["valid_from"] == a.position:
            # Already rewritten by this event: amend the new version itself.
            a.conn.execute(_update_by_key(table), {**_key(table, row), **values})
            continue
        a.conn.execute(_update_by_key(table), {**_key(table, row), "valid_to": a.position})
        a.conn.execute(
            _insert(table), {**row, **values, "valid_from": a.position, "valid_to": None}
        )
    return len(rows)


def change(a: Applied, table: Table, *where: ColumnElement[bool], **values: Any) -> int:
    """Give the current rows matching ``where`` new values from this event on."""
    rows = list(a.conn.execute(select(table).where(*where, current(table))).mappings())
    return _succeed(a, table, rows, values)


def close(a: Applied, table: Table, *where: ColumnElement[bool]) -> None:
    """End the current rows matching ``where`` at this event."""
    for row in a.conn.execute(select(table).where(*where, current(table))).mappings().all():
        if row["valid_from"] == a.position:
            a.conn.execute(_delete_by_key(table), _key(table, row))
        else:
            a.conn.execute(_update_by_key(table), {**_key(table, row), "valid_to": a.position})


def put(a: Applied, table: Table, key: dict[str, Any], **values: Any) -> None:
    """Change the current row with this key, or add it."""
    where = tuple(table.c[name] == value for name, value in key.items())
    if not change(a, table, *where, **values):
        add(a, table, **key, **values)


def set_record(a: Applied, table: Table, id_column: str, **values: Any) -> None:
    """Change the event's own record (tenant + aggregate id) and move it to the event's version."""
    key = {"key_tenant": a.tenant_id, "key_record": a.record_id, "key_position": a.position}
    values = {"version": a.version, **values}
    # One round trip closes the current version and hands it back for its successor.
    closed = a.conn.execute(_close_record(table, id_column), key).mappings().all()
    for row in closed:
        a.conn.execute(
            _insert(table), {**row, **values, "valid_from": a.position, "valid_to": None}
        )
    if not closed:
        # This event already wrote the record's current version: amend it.
        a.conn.execute(_amend_record(table, id_column), {**key, **values})


def read(a: Applied, table: Table, column: str, *where: ColumnElement[bool]) -> Any:
    """One value from the current row matching ``where`` (None if none)."""
    return a.conn.execute(select(table.c[column]).where(*where, current(table))).scalar()
