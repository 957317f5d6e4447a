"""Relay connections: pages of a tenant's growing lists, with opaque cursors, both
ways (``first``/``after`` forward, ``last``/``before`` backward) and a total."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row

from api.graphql.types import Ctx, decode_cursor, encode_cursor
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


def _cursor(text: str | None) -> int | None:
    try:
        return decode_cursor(text)
    except ValueError as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error


async def page(
    info: Ctx,
    table: Any,
    tenant_id: str,
    order: Any,
    window: Window,
    wrap: Callable[[Row[Any]], N],
    *,
    descending: bool = True,
    filters: Sequence[Any] = (),
) -> Connection[N]:
    """One page of a tenant's list, as of the request's position, as a connection."""
    forward = window.last is None
    size = _size(window.first, "first") if forward else _size(window.last or 0, "last")
    cursor = _cursor(window.after if forward else window.before)
    engine, position = info.context.reads, info.context.position(info, tenant_id)

    def fetch() -> tuple[list[Row[Any]], bool, bool]:
        rows, more = queries.page(
            engine, table, tenant_id, order, after=cursor, first=size,
            descending=descending if forward else not descending,
            filters=filters, position=position,
        )  # fmt: skip
        beyond = False
        if cursor is not None:
            # Is there anything on the other side of the cursor?
            other = order >= cursor if descending == forward else order <= cursor
            beyond = (
                queries.count_visible(
                    engine, table, tenant_id, [*filters, other], position, limit=1
                )
                > 0
            )
        return (rows if forward else rows[::-1]), more, beyond

    rows, more, beyond = await asyncio.to_thread(fetch)

    async def count() -> int:
        return await asyncio.to_thread(
            queries.count_visible, engine, table, tenant_id, list(filters), position
        )

    edges = [Edge(cursor=encode_cursor(getattr(r, order.name)), node=wrap(r)) for r in rows]
    info_ = PageInfo(
        has_next_page=more if forward else beyond,
        has_previous_page=beyond if forward else more,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info_, count=count)
