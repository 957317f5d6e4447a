"""Read-model queries for the GraphQL layer; every one names its tenant.

``positions`` maps a tenant to the log position its reader asked to see the
world as of (absent: now). Temporal tables are filtered to the rows valid then;
the event feed and histories to the events recorded up to then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Column, ColumnElement, Connection, Row, Table, and_, func, or_, select

from domain.meetings import HELD_STATUSES
from projections.tables import (
    events,
    execution_reports,
    meetings,
    record_events,
    street_communities,
    tenants,
)
from projections.temporal import visible_at
from tenants.store.schema import tenant_heads

Key = tuple[str, str]
Positions = Mapping[str, int]
NOW: Positions = {}


class Reader(Protocol):
    """What a query reads through: an engine (a connection per call), or a GraphQL
    request's snapshot (one connection and transaction for all its reads)."""

    def connect(self) -> AbstractContextManager[Connection]: ...


def visible(table: Table, position: int | None) -> list[ColumnElement[bool]]:
    """The filter that shows a table as of a position (None: now)."""
    if "valid_from" in table.c:
        return [visible_at(table, position)]
    if position is not None and "position" in table.c:
        return [table.c.position <= position]
    return []


def grouped(
    engine: Reader,
    table: Table,
    column: str,
    keys: Sequence[Key],
    order: Sequence[Column[Any]] = (),
    positions: Positions = NOW,
) -> list[list[Row[Any]]]:
    """Rows of ``table`` whose ``column`` matches each (tenant, key), in key order."""
    found: dict[Key, list[Row[Any]]] = defaultdict(list)
    by_tenant: dict[str, set[str]] = defaultdict(set)
    for tenant_id, key in keys:
        by_tenant[tenant_id].add(key)
    with engine.connect() as conn:
        for tenant_id, wanted in by_tenant.items():
            query = select(table).where(
                table.c.tenant_id == tenant_id,
                table.c[column].in_(sorted(wanted)),
                *visible(table, positions.get(tenant_id)),
            )
            for row in conn.execute(query.order_by(*order)):
                found[(tenant_id, getattr(row, column))].append(row)
    return [found.get(key, []) for key in keys]


def history(
    engine: Reader, keys: Sequence[Key], positions: Positions = NOW
) -> list[list[Row[Any]]]:
    """Each record's events, oldest first (up to the tenant's as-of position)."""
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
                    *visible(events, positions.get(tenant_id)),
                )
                .order_by(record_events.c.position)
            )
            for row in conn.execute(query):
                found[(tenant_id, row.record_id)].append(row)
    return [found.get(key, []) for key in keys]


def past(keys: Sequence[Column[Any]], values: Sequence[Any], descending: bool) -> Any:
    """Rows strictly past ``values`` in the order of ``keys`` (a keyset position): the
    first key beyond its value, or equal to it and the next key beyond, and so on."""
    steps = []
    for n, key in enumerate(keys):
        ties = [k == v for k, v in zip(keys[:n], values[:n], strict=True)]
        steps.append(and_(*ties, key < values[n] if descending else key > values[n]))
    return or_(*steps)


def page(
    engine: Reader,
    table: Table,
    where: Iterable[ColumnElement[bool]],
    keys: Sequence[Column[Any]],
    *,
    after: Sequence[Any] | None,
    first: int,
    descending: bool,
) -> tuple[list[Row[Any]], bool]:
    """One page of the rows of ``table`` matching ``where``, in the order of ``keys``
    (unique, so that a position in it is exact), past ``after``; also whether more follow."""
    query = select(table).where(*where)
    if after is not None:
        query = query.where(past(keys, after, descending))
    order = [key.desc() if descending else key.asc() for key in keys]
    with engine.connect() as conn:
        rows = list(conn.execute(query.order_by(*order).limit(first + 1)))
    return rows[:first], len(rows) > first


def count(
    engine: Reader, table: Table, where: Iterable[ColumnElement[bool]], *, limit: int | None = None
) -> int:
    """How many rows of ``table`` match ``where`` (at most ``limit``)."""
    inner = select(table.c.tenant_id).where(*where)
    if limit is not None:
        inner = inner.limit(limit)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one())


def select_visible(
    engine: Reader,
    table: Table,
    tenant_id: str,
    *where: ColumnElement[bool],
    position: int | None = None,
    order: Sequence[Any] = (),
) -> list[Row[Any]]:
    """A tenant's rows of ``table`` matching ``where``, as of ``position``."""
    query = select(table).where(table.c.tenant_id == tenant_id, *where, *visible(table, position))
    with engine.connect() as conn:
        return list(conn.execute(query.order_by(*order)))


def head_position(engine: Reader, tenant_id: str) -> int:
    """The position of the last event in a tenant's log (0: none)."""
    query = select(tenant_heads.c.position).where(tenant_heads.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def community_ids(engine: Reader, street_id: str) -> list[str]:
    """The street's communities now (their ids only: asked on every GraphQL request)."""
    query = select(tenants.c.tenant_id).where(
        tenants.c.parent_id == street_id, *visible(tenants, None)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def tenant_filters(
    *,
    scope: Sequence[str] | None,
    parent_id: str | None = None,
    kind: str | None = None,
    joined_by: int | None = None,
) -> list[ColumnElement[bool]]:
    """Which tenants a list shows, as they are now: those in ``scope`` (None: every
    tenant), optionally one street's communities (``joined_by``: only those its log
    had recorded as joined by that position) or one kind."""
    where = visible(tenants, None)
    if scope is not None:
        where.append(tenants.c.tenant_id.in_(sorted(scope)))
    if parent_id is not None:
        where.append(tenants.c.parent_id == parent_id)
        if joined_by is not None:
            sc = street_communities
            joined = select(sc.c.community_id).where(
                sc.c.tenant_id == parent_id, *visible(sc, joined_by)
            )
            where.append(tenants.c.tenant_id.in_(joined))
    if kind is not None:
        where.append(tenants.c.kind == kind)
    return where


def tenant_rows(
    engine: Reader, *, parent_id: str | None = None, kind: str | None = None
) -> list[Row[Any]]:
    """Tenants as they are now, optionally the communities of one street or of one kind."""
    query = select(tenants).where(*visible(tenants, None)).order_by(tenants.c.tenant_id)
    if parent_id is not None:
        query = query.where(tenants.c.parent_id == parent_id)
    if kind is not None:
        query = query.where(tenants.c.kind == kind)
    with engine.connect() as conn:
        return list(conn.execute(query))


def position_at(engine: Reader, tenant_id: str, moment: Any) -> int:
    """The last log position of a tenant recorded at or before ``moment`` (0 if none)."""
    query = select(func.max(events.c.position)).where(
        events.c.tenant_id == tenant_id, events.c.recorded_at <= moment
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def reports_presented(
    engine: Reader, tenant_id: str, meeting_id: str, position: int | None = None
) -> list[Row[Any]]:
    """The execution reports a meeting's execution review presents: those recorded
    after the tenant's previous held meeting and up to this meeting's time, oldest
    first (as of ``position``; None: now)."""
    r, m = execution_reports, meetings
    with engine.connect() as conn:
        this = conn.execute(
            select(m.c.scheduled_for).where(
                m.c.tenant_id == tenant_id, m.c.meeting_id == meeting_id, visible_at(m, position)
            )
        ).scalar()
        if this is None:
            return []
        previous = conn.execute(
            select(func.max(m.c.scheduled_for)).where(
                m.c.tenant_id == tenant_id,
                m.c.scheduled_for < this,
                m.c.status.in_([s.value for s in HELD_STATUSES]),
                visible_at(m, position),
            )
        ).scalar()
        query = select(r).where(
            r.c.tenant_id == tenant_id, r.c.recorded_at <= this, visible_at(r, position)
        )
        if previous is not None:
            query = query.where(r.c.recorded_at > previous)
        return list(conn.execute(query.order_by(r.c.recorded_at, r.c.position)))
