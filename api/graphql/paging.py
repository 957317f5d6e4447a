"""Relay connections: pages of a tenant's growing lists, with opaque cursors, both
ways (``first``/``after`` forward, ``last``/``before`` backward) and a total."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Column, Row, not_

from api.graphql.types import Ctx, decode_cursor, decode_key, encode_cursor, encode_key
from projections import queries

N = TypeVar("N")
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(
    description="A page of a list that grows: pass endCursor as `after` for the next "
    "page, or startCursor as `before` with `last` for the previous one."
)
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]

    @strawberry.field
    async def total_count(self) -> int:
        """How many items the whole list holds (with its filters)."""
        return await self.count()


@dataclass(frozen=True)
class Window:
    """Which page: ``first`` after a cursor, or (if given) ``last`` before one."""

    first: int
    after: str | None = None
    last: int | None = None
    before: str | None = None


def _size(value: int, name: str) -> int:
    if not 1 <= value <= MAX_PAGE:
        raise GraphQLError(
            f"{name} must be between 1 and {MAX_PAGE}", extensions={"code": "BAD_USER_INPUT"}
        )
    return value


Order = Any  # a column, or several (their values together unique within the list)


def _keys(order: Order) -> list[Column[Any]]:
    return list(order) if isinstance(order, list | tuple) else [order]


def _counter(keys: Sequence[Column[Any]]) -> bool:
    """Whether the list is ordered by one integer (a position): its cursors keep the
    form they always had (``afterPosition`` and cursors clients hold stay valid)."""
    return len(keys) == 1 and keys[0].type.python_type is int


def _encode(keys: Sequence[Column[Any]], row: Row[Any]) -> str:
    values = [getattr(row, key.name) for key in keys]
    return encode_cursor(values[0]) if _counter(keys) else encode_key(values)


def _decode(keys: Sequence[Column[Any]], text: str | None) -> list[Any] | None:
    try:
        if text is None:
            return None
        if _counter(keys):
            value = decode_cursor(text)
            return None if value is None else [value]
        return decode_key(text, [key.type.python_type for key in keys])
    except ValueError as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error


async def page(
    info: Ctx,
    table: Any,
    tenant_id: str,
    order: Order,
    window: Window,
    wrap: Callable[[Row[Any]], N],
    *,
    descending: bool = True,
    filters: Sequence[Any] = (),
) -> Connection[N]:
    """One page of a tenant's list, as of the request's position, as a connection."""
    position = info.context.position(info, tenant_id)
    where = [table.c.tenant_id == tenant_id, *filters, *queries.visible(table, position)]
    return await page_where(info, table, where, order, window, wrap, descending=descending)


async def page_where(
    info: Ctx,
    table: Any,
    where: Sequence[Any],
    order: Order,
    window: Window,
    wrap: Callable[[Row[Any]], N],
    *,
    descending: bool = True,
) -> Connection[N]:
    """One page of the rows of ``table`` matching ``where`` (which scopes them to
    what the request may read, as of when it reads), as a connection; ``order`` is
    a column or a list of columns whose values together are unique in the list."""
    keys = _keys(order)
    forward = window.last is None
    size = _size(window.first, "first") if forward else _size(window.last or 0, "last")
    cursor = _decode(keys, window.after if forward else window.before)
    engine, direction = info.context.reads, descending if forward else not descending

    def fetch() -> tuple[list[Row[Any]], bool, bool]:
        rows, more = queries.page(
            engine, table, where, keys, after=cursor, first=size, descending=direction
        )
        beyond = False
        if cursor is not None:
            # Is there anything on the other side of the cursor (or at it)?
            other = not_(queries.past(keys, cursor, direction))
            beyond = queries.count(engine, table, [*where, other], limit=1) > 0
        return (rows if forward else rows[::-1]), more, beyond

    rows, more, beyond = await asyncio.to_thread(fetch)

    async def count() -> int:
        return await asyncio.to_thread(queries.count, engine, table, list(where))

    edges = [Edge(cursor=_encode(keys, r), node=wrap(r)) for r in rows]
    info_ = PageInfo(
        has_next_page=more if forward else beyond,
        has_previous_page=beyond if forward else more,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info_, count=count)
