"""Relay-style connections: pages of a tenant's growing lists, with opaque cursors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
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
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of a list that grows; pass endCursor as `after`.")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(
    rows: Sequence[Row[Any]], more: bool, key: str, wrap: Callable[[Row[Any]], N]
) -> Connection[N]:
    edges = [Edge(cursor=encode_cursor(getattr(r, key)), node=wrap(r)) for r in rows]
    end = edges[-1].cursor if edges else None
    return Connection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))


def bounds(first: int, after: str | None) -> int | None:
    if not 1 <= first <= MAX_PAGE:
        raise GraphQLError(
            f"first must be between 1 and {MAX_PAGE}", extensions={"code": "BAD_USER_INPUT"}
        )
    try:
        return decode_cursor(after)
    except ValueError as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error


async def page(
    info: Ctx,
    table: Any,
    tenant_id: str,
    order: Any,
    first: int,
    after: str | None,
    wrap: Callable[[Row[Any]], N],
    *,
    descending: bool = True,
    filters: Sequence[Any] = (),
) -> Connection[N]:
    """One page of a tenant's list, as of the request's position, as a connection."""
    start = bounds(first, after)
    rows, more = await asyncio.to_thread(
        queries.page,
        info.context.engine,
        table,
        tenant_id,
        order,
        after=start,
        first=first,
        descending=descending,
        filters=filters,
        position=info.context.as_of.get(tenant_id),
    )
    return connection(rows, more, order.name, wrap)
