"""Read-model queries for the GraphQL layer; every one names its tenant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Engine, Row, Table, select

from projections.tables import events, record_events, tenants

Key = tuple[str, str]


def grouped(
    engine: Engine,
    table: Table,
    column: str,
    keys: Sequence[Key],
    order: Sequence[Column[Any]] = (),
) -> list[list[Row[Any]]]:
    """Rows of ``table`` whose ``column`` matches each (tenant, key), in key order."""
    found: dict[Key, list[Row[Any]]] = defaultdict(list)
    by_tenant: dict[str, set[str]] = defaultdict(set)
    for tenant_id, key in keys:
        by_tenant[tenant_id].add(key)
    with engine.connect() as conn:
        for tenant_id, wanted in by_tenant.items():
            query = select(table).where(
                table.c.tenant_id == tenant_id, table.c[column].in_(sorted(wanted))
            )
            for row in conn.execute(query.order_by(*order)):
                found[(tenant_id, getattr(row, column))].append(row)
    return [found.get(key, []) for key in keys]


def history(engine: Engine, keys: Sequence[Key]) -> list[list[Row[Any]]]:
    """Each record's events, oldest first."""
    found: dict[Key, list[Row[Any]]] = defaultdict(list)
    by_tenant: dict[str, set[str]] = defaultdict(set)
    for tenant_id, key in keys:
        by_tenant[tenant_id].add(key)
    with engine.connect() as conn:
        for tenant_id, wanted in by_tenant.items():
            query = (
                select(record_events.c.record_id, events)
                .join(
                    events,
                    (events.c.tenant_id == record_events.c.tenant_id)
                    & (events.c.position == record_events.c.position),
                )
                .where(
                    record_events.c.tenant_id == tenant_id,
                    record_events.c.record_id.in_(sorted(wanted)),
                )
                .order_by(record_events.c.position)
            )
            for row in conn.execute(query):
                found[(tenant_id, row.record_id)].append(row)
    return [found.get(key, []) for key in keys]


def page(
    engine: Engine,
    table: Table,
    tenant_id: str,
    order: Column[Any],
    *,
    after: int | None,
    first: int,
    descending: bool,
    filters: Iterable[ColumnElement[bool]] = (),
) -> tuple[list[Row[Any]], bool]:
    """One page of a tenant's rows keyed by an integer column; also whether more follow."""
    query = select(table).where(table.c.tenant_id == tenant_id, *filters)
    if after is not None:
        query = query.where(order < after if descending else order > after)
    query = query.order_by(order.desc() if descending else order.asc()).limit(first + 1)
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    return rows[:first], len(rows) > first


def tenant_rows(
    engine: Engine, *, parent_id: str | None = None, kind: str | None = None
) -> list[Row[Any]]:
    """Tenants, optionally the communities of one street or of one kind."""
    query = select(tenants).order_by(tenants.c.tenant_id)
    if parent_id is not None:
        query = query.where(tenants.c.parent_id == parent_id)
    if kind is not None:
        query = query.where(tenants.c.kind == kind)
    with engine.connect() as conn:
        return list(conn.execute(query))
