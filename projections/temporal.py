"""Temporal read-model rows: each row is valid for a range of log positions.

A row holds ``valid_from`` (the position that wrote it) and ``valid_to`` (the
position that replaced or removed it; NULL while current). Handlers never
update or delete in place: ``change`` closes the current row and writes its
successor, so "state as of position P" is an indexed filter, not a replay.

Handlers pick rows with a ``match``: column names and the values they must
equal (None: the column IS NULL). The helpers below hold the temporal rules;
where the rows live is the event's backend (``Applied.backend``): the database
(``SqlRows``, statements inside the projector's transaction) or memory
(``projections.memory``, when a tenant's whole log is folded at once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Delete,
    Insert,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

if TYPE_CHECKING:
    from projections.context import Applied

Match = Mapping[str, Any]
"""Column name -> the value it equals (None: the column IS NULL)."""
Row = Mapping[Any, Any]
"""A row as the database hands it back."""


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


class TemporalBackend(Protocol):
    """Where one projection transaction's rows live: the steps the helpers compose.

    Rows handed out are as the database would read them back; ``update`` and
    ``delete`` find the row they are given by its primary key.
    """

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Write new rows."""

    def current_rows(self, table: Table, match: Match) -> Sequence[Row]:
        """The current rows matching ``match``."""

    def count_current(self, table: Table, match: Match) -> int:
        """How many current rows match ``match``."""

    def first_value(self, table: Table, column: str, match: Match) -> Any:
        """``column`` of the first current row matching ``match`` (None if none)."""

    def update(self, table: Table, row: Row, values: dict[str, Any]) -> None:
        """Set ``values`` on the row with ``row``'s primary key."""

    def delete(self, table: Table, row: Row) -> None:
        """Remove the row with ``row``'s primary key."""

    def close_record(self, table: Table, id_column: str, key: dict[str, Any]) -> Sequence[Row]:
        """End a record's current rows written before ``key_position``; return them."""

    def amend_record(
        self, table: Table, id_column: str, key: dict[str, Any], values: dict[str, Any]
    ) -> None:
        """Set ``values`` on a record's current rows written at ``key_position``."""


# Statements are built once per table (and per set of matched columns) with bind
# parameters: building a fresh statement per row costs more Python time than the
# database work it asks for.


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


@cache
def _matching(
    table: Table, equal: tuple[str, ...], null: tuple[str, ...]
) -> tuple[ColumnElement[bool], ...]:
    return (
        *(table.c[name] == bindparam(f"match_{name}") for name in equal),
        *(table.c[name].is_(None) for name in null),
        current(table),
    )


@cache
def _select_current(table: Table, equal: tuple[str, ...], null: tuple[str, ...]) -> Select[Any]:
    return select(table).where(*_matching(table, equal, null))


@cache
def _count_current(table: Table, equal: tuple[str, ...], null: tuple[str, ...]) -> Select[Any]:
    return select(func.count()).select_from(table).where(*_matching(table, equal, null))


@cache
def _select_value(
    table: Table, column: str, equal: tuple[str, ...], null: tuple[str, ...]
) -> Select[Any]:
    return select(table.c[column]).where(*_matching(table, equal, null))


def _split(match: Match) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, Any]]:
    """The matched columns compared by value, those that must be NULL, and the values."""
    equal = tuple(name for name, value in match.items() if value is not None)
    null = tuple(name for name, value in match.items() if value is None)
    return equal, null, {f"match_{name}": match[name] for name in equal}


def _key(table: Table, row: Row) -> dict[str, Any]:
    return {f"key_{column.name}": row[column.name] for column in table.primary_key.columns}


class SqlRows:
    """Temporal rows in the database: statements on the projector's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.conn.execute(_insert(table), rows[0] if len(rows) == 1 else rows)

    def current_rows(self, table: Table, match: Match) -> Sequence[Row]:
        equal, null, params = _split(match)
        return self.conn.execute(_select_current(table, equal, null), params).mappings().all()

    def count_current(self, table: Table, match: Match) -> int:
        equal, null, params = _split(match)
        return int(self.conn.execute(_count_current(table, equal, null), params).scalar_one())

    def first_value(self, table: Table, column: str, match: Match) -> Any:
        equal, null, params = _split(match)
        return self.conn.execute(_select_value(table, column, equal, null), params).scalar()

    def update(self, table: Table, row: Row, values: dict[str, Any]) -> None:
        self.conn.execute(_update_by_key(table), {**_key(table, row), **values})

    def delete(self, table: Table, row: Row) -> None:
        self.conn.execute(_delete_by_key(table), _key(table, row))

    def close_record(self, table: Table, id_column: str, key: dict[str, Any]) -> Sequence[Row]:
        # One round trip closes the current version and hands it back for its successor.
        return self.conn.execute(_close_record(table, id_column), key).mappings().all()

    def amend_record(
        self, table: Table, id_column: str, key: dict[str, Any], values: dict[str, Any]
    ) -> None:
        self.conn.execute(_amend_record(table, id_column), {**key, **values})


def add(a: Applied, table: Table, **values: Any) -> None:
    """Write a new row, valid from this event."""
    a.backend.insert(table, [{**values, "valid_from": a.position}])


def add_many(a: Applied, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write several new rows, valid from this event."""
    if rows:
        a.backend.insert(table, [{**row, "valid_from": a.position} for row in rows])


def _succeed(a: Applied, table: Table, rows: Sequence[Row], values: dict[str, Any]) -> int:
    for row in rows:
        if row["valid_from"] == a.position:
            # Already rewritten by this event: amend the new version itself.
            a.backend.update(table, row, values)
            continue
        a.backend.update(table, row, {"valid_to": a.position})
        a.backend.insert(table, [{**row, **values, "valid_from": a.position, "valid_to": None}])
    return len(rows)


def change(a: Applied, table: Table, match: Match, **values: Any) -> int:
    """Give the current rows matching ``match`` new values from this event on."""
    return _succeed(a, table, a.backend.current_rows(table, match), values)


def close(a: Applied, table: Table, match: Match) -> None:
    """End the current rows matching ``match`` at this event."""
    for row in a.backend.current_rows(table, match):
        if row["valid_from"] == a.position:
            a.backend.delete(table, row)
        else:
            a.backend.update(table, row, {"valid_to": a.position})


def put(a: Applied, table: Table, key: Match, **values: Any) -> None:
    """Change the current row with this key, or add it."""
    if not change(a, table, key, **values):
        add(a, table, **key, **values)


def set_record(a: Applied, table: Table, id_column: str, **values: Any) -> None:
    """Change the event's own record (tenant + aggregate id) and move it to the event's version."""
    key = {"key_tenant": a.tenant_id, "key_record": a.record_id, "key_position": a.position}
    values = {"version": a.version, **values}
    closed = a.backend.close_record(table, id_column, key)
    if closed:
        a.backend.insert(
            table, [{**row, **values, "valid_from": a.position, "valid_to": None} for row in closed]
        )
    else:
        # This event already wrote the record's current version: amend it.
        a.backend.amend_record(table, id_column, key, values)


def read(a: Applied, table: Table, column: str, match: Match) -> Any:
    """One value from the current row matching ``match`` (None if none; any one of
    them if several match)."""
    return a.backend.first_value(table, column, match)


def current_rows(a: Applied, table: Table, match: Match) -> Sequence[Row]:
    """The current rows matching ``match`` (in no particular order; to read, not
    to change: their JSON values may be shared with the rows held in memory)."""
    return a.backend.current_rows(table, match)


def count_current(a: Applied, table: Table, match: Match) -> int:
    """How many current rows match ``match``."""
    return a.backend.count_current(table, match)
