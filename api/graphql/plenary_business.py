"""GraphQL types for the plenary's business: the council (理事会) and its roster, and
the work reports and plans, each with the plenary resolution that adopted it."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.filters import WorkDocumentKindFilter, value
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.resolutions import Resolution, load_resolution
from api.graphql.tenant_engagement import parse_period, visible_rows
from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import MemberUnit, load_unit
from domain.plenary_business import CouncilOffice, council_id
from projections.tables_plenary_business import COUNCILS, WORK_DOCUMENTS, councils, work_documents


@strawberry.type(description="A seat on the council, held by a member unit.")
class CouncilSeat:
    tenant_id: strawberry.Private[str]
    office: str = strawberry.field(description="chair | vice_chair | council_member")
    office_label: str = strawberry.field(description="理事长 | 副理事长 | 理事")
    unit_id: str

    @strawberry.field(description="the unit holding the seat (its representative sits)")
    async def unit(self, info: Ctx) -> MemberUnit | None:
        return await load_unit(info, self.tenant_id, self.unit_id)


@strawberry.type(
    description="The council (理事会) as the latest plenary confirmed it: chair first, "
    "then vice-chairs, then members; `history` lists every roster."
)
@record_fields(COUNCILS)
class Council(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def seats(self) -> list[CouncilSeat]:
        return [
            CouncilSeat(
                tenant_id=self.row.tenant_id,
                office=seat["office"],
                office_label=CouncilOffice(seat["office"]).label,
                unit_id=seat["unit_id"],
            )
            for seat in self.row.seats
        ]

    @strawberry.field(description="the plenary resolution that confirmed this roster")
    async def resolution(self, info: Ctx) -> Resolution | None:
        return await load_resolution(info, self.row.tenant_id, self.row.resolution_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.council_id)


@strawberry.type(description="An item of a work report (done) or plan (to do).")
class WorkDocumentItem:
    tenant_id: strawberry.Private[str]
    id: str
    text: str
    responsible_unit_id: str | None
    due: str | None = strawberry.field(description="ISO date, if the item has one")

    @strawberry.field
    async def responsible_unit(self, info: Ctx) -> MemberUnit | None:
        if self.responsible_unit_id is None:
            return None
        return await load_unit(info, self.tenant_id, self.responsible_unit_id)


@strawberry.type(
    description="A work report (工作报告) or work plan (工作计划) as a plenary adopted it."
)
@record_fields(WORK_DOCUMENTS)
class WorkDocument(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def items(self) -> list[WorkDocumentItem]:
        return [
            WorkDocumentItem(
                tenant_id=self.row.tenant_id,
                id=item["id"],
                text=item["text"],
                responsible_unit_id=item["responsible_unit_id"],
                due=item["due"],
            )
            for item in self.row.items
        ]

    @strawberry.field(description="the plenary resolution that adopted it as it now reads")
    async def resolution(self, info: Ctx) -> Resolution | None:
        return await load_resolution(info, self.row.tenant_id, self.row.resolution_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.document_id)


@strawberry.type
class TenantPlenary:
    """The plenary's business of a tenant (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="The council, as confirmed (null: none confirmed yet).")
    async def council(self, info: Ctx) -> Council | None:
        c = councils
        key = str(council_id(self.row.tenant_id))
        found = await visible_rows(info, c, self.row.tenant_id, c.c.council_id == key)
        return Council(row=found[0]) if found else None

    @strawberry.field(
        description="Work reports and plans in the order first adopted; `kind` and "
        "`period` (e.g. 2026) filter."
    )
    async def work_documents(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        kind: WorkDocumentKindFilter | None = None,
        period: str | None = None,
    ) -> Connection[WorkDocument]:
        w = work_documents
        parse_period(period)
        filters = [w.c.period == period] if period else []
        if kind:
            filters.append(w.c.kind == value(kind))
        return await page(
            info,
            w,
            self.row.tenant_id,
            [w.c.created_position, w.c.document_id],
            Window(first, after, last, before),
            lambda r: WorkDocument(row=r),
            descending=False,
            filters=filters,
        )

    @strawberry.field
    async def work_document(self, info: Ctx, id: strawberry.ID) -> WorkDocument | None:
        w = work_documents
        found = await visible_rows(info, w, self.row.tenant_id, w.c.document_id == str(id))
        return WorkDocument(row=found[0]) if found else None
