"""GraphQL types for commendations: per tenant, filtered by period, kind and status,
each with the evaluation it came from and its nominee's record."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.evaluations import Evaluation
from api.graphql.filters import CommendationKindFilter, CommendationStatusFilter, value
from api.graphql.members import PartyMember, load_member
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.tenant_engagement import parse_period, visible_rows
from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import MemberUnit, load_unit
from domain.commendations import CommendationKind
from projections import tables_engagement as f
from projections.tables_commendations import COMMENDATIONS, commendations


async def _readable(info: Ctx, tenant_id: str) -> bool:
    return await asyncio.to_thread(info.context.readable, tenant_id)


@strawberry.type(description="A commendation (表彰): its nominee, source and standing.")
@record_fields(COMMENDATIONS)
class Commendation(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="the finalised evaluation it came from (null: nominated directly, or "
        "not readable by this reader)"
    )
    async def evaluation(self, info: Ctx) -> Evaluation | None:
        tenant_id, evaluation_id = self.row.evaluation_tenant, self.row.evaluation_id
        if evaluation_id is None or not await _readable(info, tenant_id):
            return None
        e = f.evaluations
        found = await visible_rows(info, e, tenant_id, e.c.evaluation_id == evaluation_id)
        return Evaluation(row=found[0]) if found else None

    @strawberry.field(description="the nominated party member (outstanding party member)")
    async def member(self, info: Ctx) -> PartyMember | None:
        if self.row.kind != CommendationKind.OUTSTANDING_PARTY_MEMBER.value:
            return None
        if not await _readable(info, self.row.nominee_tenant):
            return None
        return await load_member(info, self.row.nominee_tenant, self.row.nominee_id)

    @strawberry.field(description="the nominated member unit (outstanding member unit)")
    async def unit(self, info: Ctx) -> MemberUnit | None:
        if self.row.kind != CommendationKind.OUTSTANDING_MEMBER_UNIT.value:
            return None
        if not await _readable(info, self.row.nominee_tenant):
            return None
        return await load_unit(info, self.row.nominee_tenant, self.row.nominee_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.commendation_id)


@strawberry.type
class TenantCommendations:
    """The commendations a tenant awards (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="Commendations this tenant awards, in the order they were nominated; "
        "`period` (e.g. 2026), `kind` and `status` filter."
    )
    async def commendations(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        period: str | None = None,
        kind: CommendationKindFilter | None = None,
        status: CommendationStatusFilter | None = None,
    ) -> Connection[Commendation]:
        c = commendations
        parse_period(period)
        filters = [c.c.period == period] if period else []
        if kind:
            filters.append(c.c.kind == value(kind))
        if status:
            filters.append(c.c.status == value(status))
        return await page(
            info,
            c,
            self.row.tenant_id,
            [c.c.created_position, c.c.commendation_id],
            Window(first, after, last, before),
            lambda r: Commendation(row=r),
            descending=False,
            filters=filters,
        )

    @strawberry.field
    async def commendation(self, info: Ctx, id: strawberry.ID) -> Commendation | None:
        c = commendations
        found = await visible_rows(info, c, self.row.tenant_id, c.c.commendation_id == str(id))
        return Commendation(row=found[0]) if found else None
