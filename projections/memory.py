"""One tenant's temporal rows held in memory, with the database's semantics.

Folding a tenant's whole log (``projections.folding``) runs the same handlers
as the per-event path, against these rows instead of SQL statements. Every step
must leave exactly the rows the database would hold; a step that cannot promise
that raises ``Unsupported`` and the tenant is projected on the database instead.

Rows are plain dicts holding every column. Columns a handler left out hold what
the database would: the column's default, else NULL. A JSON column tells SQL
NULL (left out) from JSON ``null`` (given None), as the database does, so it
holds ``SQL_NULL`` for the former.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, null

from projections.temporal import Match, Row

SQL_NULL = null()
"""A column's value when left out of an insert and stored as SQL NULL (JSON columns)."""

Key = tuple[Any, ...]


class Unsupported(Exception):
    """A step the in-memory rows cannot take exactly as the database would."""


class _Rows:
    """One table's rows: the current ones by key and by the columns looked up,
    and those changed since they were last written."""

    def __init__(self, table: Table, tenant_id: str) -> None:
        self.table = table
        self.tenant_id = tenant_id
        self.blank: dict[str, Any] = {}
        for column in table.columns:
            default = column.default
            if column.server_default is not None or (default is not None and not default.is_scalar):
                raise Unsupported(f"{table.name}.{column.name} has a default computed on write")
            if default is not None:
                self.blank[column.name] = getattr(default, "arg", None)
            elif column.type.should_evaluate_none:
                self.blank[column.name] = SQL_NULL
            else:
                self.blank[column.name] = None
        self.columns = frozenset(self.blank)
        self.pk = tuple(column.name for column in table.primary_key.columns)
        self.key_columns = frozenset(self.pk)
        self.key: Callable[[Row], Key] = itemgetter(*self.pk)
        # Columns that store None as a value (JSON null), not as SQL NULL.
        self.json_columns = tuple(
            column.name for column in table.columns if column.type.should_evaluate_none
        )
        self.current: dict[Key, dict[str, Any]] = {}
        # Columns looked up together -> their values -> the current rows there.
        self.indexes: dict[tuple[str, ...], _Index] = {}
        self.closed: list[dict[str, Any]] = []  # closed before ever being written
        self.ended: list[dict[str, Any]] = []  # written while current, closed since
        self.written: set[Key] = set()  # current rows already written

    def add(self, values: dict[str, Any]) -> None:
        """Add a current row (the dict is kept if it holds every column)."""
        if values.keys() == self.columns:
            row = values
        else:
            row = {**self.blank, **values}
            if len(row) != len(self.blank):
                unknown = sorted(values.keys() - self.columns)
                raise Unsupported(f"{self.table.name} has no columns {unknown}")
        if row["tenant_id"] != self.tenant_id or row["valid_to"] is not None:
            raise Unsupported(f"{self.table.name}: a row outside this tenant's current rows")
        key = self.key(row)
        if key in self.current:
            # The database refuses it (a duplicate primary key): let it say so.
            raise Unsupported(f"{self.table.name}: duplicate key {key}")
        self.current[key] = row
        for index in self.indexes.values():
            index.add(row, key)

    def find(self, match: Match) -> list[dict[str, Any]]:
        if match.get("tenant_id", self) != self.tenant_id:
            raise Unsupported(f"{self.table.name}: a lookup beyond this tenant's rows")
        names = tuple(match)
        index = self.indexes.get(names)
        if index is None:
            if not self.columns.issuperset(names):
                unknown = sorted(set(names) - self.columns)
                raise Unsupported(f"{self.table.name} has no columns {unknown}")
            index = self.indexes[names] = _Index(names, self.json_columns)
            for key, row in self.current.items():
                index.add(row, key)
        return index.find(match)

    def update(self, row: Row, values: dict[str, Any]) -> None:
        key = self.key(row)
        live = self.current.get(key)
        if live is None:
            return  # the database would update nothing
        if not self.columns.issuperset(values) or not self.key_columns.isdisjoint(values):
            raise Unsupported(f"{self.table.name}: cannot set {sorted(values)}")
        written = key in self.written
        if written and values.keys() != {"valid_to"}:
            # Rows written by an earlier flush only ever get closed.
            raise Unsupported(f"{self.table.name}: a written row changed in place")
        for index in self.indexes.values():
            index.remove(live, key)
        live.update(values)
        if live["valid_to"] is None:
            for index in self.indexes.values():
                index.add(live, key)
            return
        del self.current[key]
        if written:
            self.written.discard(key)
            self.ended.append(live)
        else:
            self.closed.append(live)

    def delete(self, row: Row) -> None:
        key = self.key(row)
        live = self.current.pop(key, None)
        if live is None:
            return
        if key in self.written:
            raise Unsupported(f"{self.table.name}: a written row deleted")
        for index in self.indexes.values():
            index.remove(live, key)

    def read(self, row: dict[str, Any]) -> dict[str, Any]:
        """A copy of the row as the database would hand it back (SQL NULL as None).

        JSON values are the ones written, not decoded afresh: written again, they
        make the same document, and handlers only read them.
        """
        copy = dict(row)
        for name in self.json_columns:
            if copy[name] is SQL_NULL:
                copy[name] = None
        return copy

    def take_unwritten(self) -> list[dict[str, Any]]:
        """Rows never written yet (closed or current); the current ones count as
        written from now on."""
        rows, self.closed = self.closed, []
        for key, row in self.current.items():
            if key not in self.written:
                self.written.add(key)
                rows.append(row)
        return rows

    def take_ended(self) -> list[dict[str, Any]]:
        """Rows written earlier and closed since (their valid_to to write)."""
        ended, self.ended = self.ended, []
        return ended


class _Index:
    """Current rows by the values of some columns: an equality lookup in O(1)."""

    def __init__(self, names: tuple[str, ...], json_columns: tuple[str, ...]) -> None:
        # One column gives a bare value, several a tuple: alike for rows and matches.
        self.values: Callable[[Row], Any] = itemgetter(*names)
        # IS NULL holds for SQL NULL but not for JSON null: not worth telling apart.
        self.json_columns = [name for name in names if name in json_columns]
        self.rows: dict[Any, dict[Key, dict[str, Any]]] = {}

    def find(self, match: Match) -> list[dict[str, Any]]:
        for name in self.json_columns:
            if match[name] is None:
                raise Unsupported(f"JSON column {name} matched against NULL")
        try:
            found = self.rows.get(self.values(match))
        except TypeError as error:  # an unhashable value: compared by the database only
            raise Unsupported(str(error)) from error
        return list(found.values()) if found else []

    def add(self, row: dict[str, Any], key: Key) -> None:
        self.rows.setdefault(self.values(row), {})[key] = row

    def remove(self, row: dict[str, Any], key: Key) -> None:
        values = self.values(row)
        bucket = self.rows[values]
        del bucket[key]
        if not bucket:
            del self.rows[values]


class MemoryRows:
    """A tenant's temporal rows in memory (a ``TemporalBackend``); they start empty,
    as the tenant's read models are before its first event is projected."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.tables: dict[Table, _Rows] = {}

    def rows(self, table: Table) -> _Rows:
        """The table's rows (created empty on first use)."""
        rows = self.tables.get(table)
        if rows is None:
            rows = self.tables[table] = _Rows(table, self.tenant_id)
        return rows

    def _held(self, table: Table) -> _Rows:
        return self.tables.get(table) or self.rows(table)

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        # The dicts are the helpers' own, built for this insert: kept, not copied.
        held = self._held(table)
        for row in rows:
            held.add(row)

    def current_rows(self, table: Table, match: Match) -> Sequence[Row]:
        held = self._held(table)
        return [held.read(row) for row in held.find(match)]

    def count_current(self, table: Table, match: Match) -> int:
        return len(self._held(table).find(match))

    def first_value(self, table: Table, column: str, match: Match) -> Any:
        held = self._held(table)
        found = held.find(match)
        if not found:
            return None
        value = held.read(found[0])[column]
        if column in held.json_columns and value is not None:
            # Decoded afresh, as the database hands it back (a tuple comes back a list).
            value = json.loads(json.dumps(value))
        return value

    def update(self, table: Table, row: Row, values: dict[str, Any]) -> None:
        self._held(table).update(row, values)

    def delete(self, table: Table, row: Row) -> None:
        self._held(table).delete(row)

    def close_record(self, table: Table, id_column: str, key: dict[str, Any]) -> Sequence[Row]:
        held = self._held(table)
        closed = []
        for row in held.find({"tenant_id": key["key_tenant"], id_column: key["key_record"]}):
            if row["valid_from"] < key["key_position"]:
                held.update(row, {"valid_to": key["key_position"]})
                closed.append(held.read(row))
        return closed

    def amend_record(
        self, table: Table, id_column: str, key: dict[str, Any], values: dict[str, Any]
    ) -> None:
        held = self._held(table)
        for row in held.find({"tenant_id": key["key_tenant"], id_column: key["key_record"]}):
            if row["valid_from"] == key["key_position"]:
                held.update(row, values)
