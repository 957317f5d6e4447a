"""The GraphQL schema: the tenant tree and everything in a tenant's read models."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row
from strawberry.extensions import MaxTokensLimiter, QueryDepthLimiter

from api.gql_types import (
    Charter,
    Ctx,
    Event,
    Meeting,
    MemberUnit,
    Resolution,
    _history,
    decode_cursor,
    encode_cursor,
    load_resolution,
    tenant_kind_label,
)
from projections import queries, tables
from tenants.schema import tenant_heads

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


def _connection(
    rows: Sequence[Row[Any]], more: bool, key: str, wrap: Callable[[Row[Any]], N]
) -> Connection[N]:
    edges = [Edge(cursor=encode_cursor(getattr(r, key)), node=wrap(r)) for r in rows]
    end = edges[-1].cursor if edges else None
    return Connection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))


def _bounds(first: int, after: str | None) -> int | None:
    if not 1 <= first <= MAX_PAGE:
        raise GraphQLError(
            f"first must be between 1 and {MAX_PAGE}", extensions={"code": "BAD_USER_INPUT"}
        )
    try:
        return decode_cursor(after)
    except ValueError as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error


@strawberry.type(description="A street or a community: one tenant with its own event log.")
class Tenant:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.tenant_id)

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def kind_label(self) -> str:
        return tenant_kind_label(self.row.kind)

    @strawberry.field
    def name(self) -> str:
        return str(self.row.name)

    @strawberry.field
    def registered_at(self) -> datetime:
        registered: datetime = self.row.registered_at
        return registered if registered.tzinfo else registered.replace(tzinfo=UTC)

    @strawberry.field
    def charter(self) -> Charter:
        return Charter.of(self.row.charter)

    @strawberry.field
    async def parent(self, info: Ctx) -> Tenant | None:
        if not self.row.parent_id:
            return None
        return await _tenant(info, self.row.parent_id)

    @strawberry.field
    async def communities(self, info: Ctx) -> list[Tenant]:
        rows = await asyncio.to_thread(
            queries.tenant_rows, info.context.engine, parent_id=self.row.tenant_id
        )
        return [Tenant(row=r) for r in rows]

    @strawberry.field
    async def units(self, info: Ctx, active_only: bool = False) -> list[MemberUnit]:
        rows = await asyncio.to_thread(
            queries.grouped,
            info.context.engine,
            tables.units,
            "tenant_id",
            [(self.row.tenant_id, self.row.tenant_id)],
            [tables.units.c.joined_at],
        )
        return [MemberUnit(row=r) for r in rows[0] if r.active or not active_only]

    @strawberry.field(description="Meetings, newest first.")
    async def meetings(
        self, info: Ctx, first: int = 20, after: str | None = None, status: str | None = None
    ) -> Connection[Meeting]:
        start = _bounds(first, after)
        m = tables.meetings
        filters = [m.c.status == status] if status else []
        rows, more = await asyncio.to_thread(
            queries.page,
            info.context.engine,
            m,
            self.row.tenant_id,
            m.c.created_position,
            after=start,
            first=first,
            descending=True,
            filters=filters,
        )
        return _connection(rows, more, "created_position", lambda r: Meeting(row=r))

    @strawberry.field
    async def meeting(self, info: Ctx, id: strawberry.ID) -> Meeting | None:
        rows = await info.context.loaders.meetings.load((self.row.tenant_id, str(id)))
        return Meeting(row=rows[0]) if rows else None

    @strawberry.field(description="Resolutions, newest first; `overdue` filters derived overdue.")
    async def resolutions(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        status: str | None = None,
        overdue: bool | None = None,
    ) -> Connection[Resolution]:
        start = _bounds(first, after)
        r = tables.resolutions
        filters = [r.c.status == status] if status else []
        if overdue is not None:
            today = datetime.now(UTC).date()
            late = (r.c.deadline < today) & r.c.status.notin_(["verified", "superseded"])
            filters.append(late if overdue else ~late)
        rows, more = await asyncio.to_thread(
            queries.page,
            info.context.engine,
            r,
            self.row.tenant_id,
            r.c.created_position,
            after=start,
            first=first,
            descending=True,
            filters=filters,
        )
        return _connection(rows, more, "created_position", lambda row: Resolution(row=row))

    @strawberry.field
    async def resolution(self, info: Ctx, id: strawberry.ID) -> Resolution | None:
        return await load_resolution(info, self.row.tenant_id, str(id))

    @strawberry.field(description="The tenant's event log, oldest first, paged by position.")
    async def events(
        self, info: Ctx, first: int = 50, after: str | None = None
    ) -> Connection[Event]:
        start = _bounds(first, after)
        e = tables.events
        rows, more = await asyncio.to_thread(
            queries.page,
            info.context.engine,
            e,
            self.row.tenant_id,
            e.c.position,
            after=start,
            first=first,
            descending=False,
        )
        return _connection(rows, more, "position", Event.of)

    @strawberry.field(description="Position of the last event in the tenant's log.")
    async def head_position(self, info: Ctx) -> int:
        def head() -> int:
            from sqlalchemy import select

            with info.context.engine.connect() as conn:
                value = conn.execute(
                    select(tenant_heads.c.position).where(
                        tenant_heads.c.tenant_id == self.row.tenant_id
                    )
                ).scalar()
            return int(value or 0)

        return await asyncio.to_thread(head)

    @strawberry.field(description="Position up to which these read models reflect the log.")
    async def projected_position(self, info: Ctx) -> int:
        projector = info.context.platform.projector
        return int(await asyncio.to_thread(projector.position, self.row.tenant_id))

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        from domain.tenants import tenant_aggregate_id

        record = str(tenant_aggregate_id(self.row.tenant_id))
        return await _history(info, self.row.tenant_id, record)


async def _tenant(info: Ctx, tenant_id: str) -> Tenant | None:
    rows = await asyncio.to_thread(
        queries.grouped, info.context.engine, tables.tenants, "tenant_id", [(tenant_id, tenant_id)]
    )
    return Tenant(row=rows[0][0]) if rows[0] else None


@strawberry.type
class Query:
    @strawberry.field(description="Streets and communities; `kind` filters street|community.")
    async def tenants(self, info: Ctx, kind: str | None = None) -> list[Tenant]:
        rows = await asyncio.to_thread(queries.tenant_rows, info.context.engine, kind=kind)
        return [Tenant(row=r) for r in rows]

    @strawberry.field(
        description="One tenant. `waitForPosition` waits (up to 5 s) until the "
        "read models reflect that log position (read-your-writes)."
    )
    async def tenant(
        self,
        info: Ctx,
        id: strawberry.ID,
        wait_for_position: int | None = None,
    ) -> Tenant | None:
        if wait_for_position is not None:
            projector = info.context.platform.projector
            caught_up = await asyncio.to_thread(projector.wait_for, str(id), wait_for_position)
            if not caught_up:
                raise GraphQLError(
                    "the read models have not reached that position yet",
                    extensions={"code": "NOT_YET_PROJECTED"},
                )
        return await _tenant(info, str(id))


schema = strawberry.Schema(
    query=Query,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=12),
        lambda: MaxTokensLimiter(max_token_count=5000),
    ],
)
